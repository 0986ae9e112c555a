import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { prepareValue } from 'pg/lib/utils';
import { DateUtils } from 'typeorm/util/DateUtils';
import { pgLocalDateText, utcDatetimeText } from '../../src/dialects/date-text';
import { utcDatetime } from '../../src/dialects/sqlite-binding';
import { instants } from '../support/instants';

/**
 * Bulk writes format dates themselves for speed; the text must be exactly what the driver (or
 * TypeORM) would have sent, or COPY and INSERT would store different values.
 */
describe('utcDatetimeText (SQLite datetime text)', () => {
  const typeorm = (d: Date) => DateUtils.mixedDateToUtcDatetimeString(d) as string;

  it('writes what TypeORM writes, for 100,000 instants from year 0 to 9999', () => {
    const mismatches = instants(100_000).filter((d) => utcDatetimeText(d) !== typeorm(d));
    expect(mismatches.map((d) => d.toISOString())).toEqual([]);
  });

  it('declines years outside 0–9999 and invalid dates, which utcDatetime leaves to TypeORM', () => {
    const outside = [
      new Date('-000001-06-01T00:00:00Z'),
      new Date('+010000-01-01T00:00:00Z'),
      new Date(NaN),
    ];
    for (const date of outside) {
      expect(utcDatetimeText(date)).toBeUndefined();
      expect(utcDatetime(date)).toBe(typeorm(date));
    }
  });
});

describe('pgLocalDateText (a Date as node-postgres sends it)', () => {
  const zones = [
    'UTC',
    'Etc/UTC',
    'Europe/Amsterdam',
    'America/St_Johns',
    'Asia/Kolkata',
    'Pacific/Chatham',
  ];

  it(`writes what pg writes, or declines, in ${zones.join(', ')}`, () => {
    // A child process: only there does assigning TZ change the zone (see the script).
    const script = join(__dirname, '../support/pg-date-text-check.ts');
    const output = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, ...zones],
      { encoding: 'utf8' },
    );
    const report = JSON.parse(output) as Record<
      string,
      { written: number; declinedSince1980: number; mismatches: string[] }
    >;
    expect(Object.keys(report)).toEqual(zones);
    for (const zone of zones) {
      const { written, declinedSince1980, mismatches } = report[zone]!;
      expect({ zone, mismatches, declinedSince1980 }).toEqual({
        zone,
        mismatches: [],
        declinedSince1980: 0,
      });
      expect(written).toBeGreaterThan(9_000);
    }
  });

  it('declines year 0 in local time, which pg writes as 1 BC', () => {
    const date = new Date('0000-06-01T12:00:00.000Z');
    expect(pgLocalDateText(date)).toBeUndefined();
    expect(pgLocalDateText(date, true)).toBeUndefined();
    expect(prepareValue(date)).toMatch(/ BC$/);
  });
});
