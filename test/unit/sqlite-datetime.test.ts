import { DateUtils } from 'typeorm/util/DateUtils';
import { utcDatetime } from '../../src/dialects/sqlite-adapter';

/** SQLite stores datetimes as TypeORM's UTC text; the fast formatter must write the same text. */
describe('utcDatetime (SQLite datetime text)', () => {
  const typeorm = (d: Date) => DateUtils.mixedDateToUtcDatetimeString(d) as string;

  it.each([
    '0000-01-01T00:00:00.000Z',
    '0001-02-28T23:59:59.999Z',
    '0999-12-31T12:00:00.001Z',
    '1899-12-31T23:59:59.999Z',
    '1900-03-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00.000Z',
    '2000-02-29T12:34:56.789Z',
    '2024-05-01T12:00:00.050Z',
    '2100-03-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
  ])('writes %s as TypeORM does', (iso) => {
    const date = new Date(iso);
    expect(utcDatetime(date)).toBe(typeorm(date));
    expect(utcDatetime(date)).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
  });

  it('agrees with TypeORM on 100,000 random instants from year 0 to 9999', () => {
    const low = Date.parse('0000-01-01T00:00:00.000Z');
    const high = Date.parse('9999-12-31T23:59:59.999Z');
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const mismatches: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const date = new Date(low + Math.floor(random() * random() * (high - low)));
      if (utcDatetime(date) !== typeorm(date)) mismatches.push(date.toISOString());
    }
    expect(mismatches).toEqual([]);
  });

  it('leaves years outside 0–9999 and invalid dates to TypeORM', () => {
    for (const date of [
      new Date('-000001-06-01T00:00:00Z'),
      new Date('+010000-01-01T00:00:00Z'),
      new Date(NaN),
    ]) {
      expect(utcDatetime(date)).toBe(typeorm(date));
    }
  });
});
