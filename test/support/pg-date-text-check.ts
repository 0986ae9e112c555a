/**
 * Run as a child process by test/unit/date-text.test.ts: Node re-reads the time zone when
 * `process.env.TZ` is assigned, which jest's sandboxed `process.env` does not pass on. For each
 * zone named on the command line, prints how many instants pgLocalDateText wrote, how many since
 * 1980 it declined (none should be: only historic local mean times have offsets with seconds) and
 * where its text differed from node-postgres's own.
 */
import { prepareValue } from 'pg/lib/utils';
import { localZoneIsUtc, pgLocalDateText } from '../../src/dialects/date-text';
import { instants } from './instants';

const SINCE_1980 = Date.parse('1980-01-01T00:00:00Z');
/** The last day of 9999 in UTC may be year 10000 locally, which is declined. */
const BEFORE_9999 = Date.parse('9999-01-01T00:00:00Z');
const report: Record<string, { written: number; declinedSince1980: number; mismatches: string[] }> =
  {};
for (const zone of process.argv.slice(2)) {
  process.env.TZ = zone;
  const utc = localZoneIsUtc();
  const result = { written: 0, declinedSince1980: 0, mismatches: [] as string[] };
  for (const date of instants(20_000)) {
    // In UTC the lookup-free path must agree too.
    const text = pgLocalDateText(date, utc);
    if (text === undefined) {
      if (date.getTime() >= SINCE_1980 && date.getTime() < BEFORE_9999) result.declinedSince1980++;
      continue;
    }
    result.written++;
    const expected = prepareValue(date);
    if (text !== expected && result.mismatches.length < 10)
      result.mismatches.push(`${date.toISOString()}: ${text} ≠ ${expected}`);
  }
  report[zone] = result;
}
process.stdout.write(JSON.stringify(report));
