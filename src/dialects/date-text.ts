/**
 * Date-to-text conversions for bulk writes, which format one value per row and date column:
 * integer arithmetic (Hinnant's days-to-civil) and digit tables rather than the drivers'
 * field-by-field `padStart` formatting, several times faster. Each function returns `undefined`
 * outside years 0–9999 (and for invalid dates), where the caller keeps the driver's own
 * conversion.
 */

const MIN_TIME = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const padded = (n: number, width: number) => String(n).padStart(width, '0');
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => padded(n, 2));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => padded(n, 3));

/**
 * `YYYY-MM-DD<separator>HH:MM:SS.mmm` of the wall-clock instant `time` (milliseconds since the
 * epoch, read as UTC), or `undefined` outside years 0–9999.
 */
function civilText(time: number, separator: string): string | undefined {
  if (!(time >= MIN_TIME && time <= MAX_TIME)) return undefined;
  const msOfDay = ((time % DAY_MS) + DAY_MS) % DAY_MS;
  const z = (time - msOfDay) / DAY_MS + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const seconds = Math.floor(msOfDay / 1000);
  return (
    (year >= 1000 ? String(year) : padded(year, 4)) +
    '-' +
    TWO_DIGITS[month]! +
    '-' +
    TWO_DIGITS[day]! +
    separator +
    TWO_DIGITS[Math.floor(seconds / 3600)]! +
    ':' +
    TWO_DIGITS[Math.floor(seconds / 60) % 60]! +
    ':' +
    TWO_DIGITS[seconds % 60]! +
    '.' +
    THREE_DIGITS[msOfDay % 1000]!
  );
}

/** TypeORM's SQLite datetime text: `2024-05-01 12:00:00.000`, in UTC. */
export function utcDatetimeText(value: Date): string | undefined {
  return civilText(value.getTime(), ' ');
}

/**
 * Whether the process's local time zone is UTC now (it changes when `process.env.TZ` is
 * assigned): then {@link pgLocalDateText} can skip the per-date offset lookups.
 */
export function localZoneIsUtc(): boolean {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone === 'UTC' || zone === 'Etc/UTC';
}

/**
 * node-postgres's text for a Date parameter (its `dateToString`): local wall-clock time with the
 * local offset, `2024-05-01T14:00:00.000+02:00`.
 *
 * @param zoneIsUtc the local zone is UTC ({@link localZoneIsUtc}), asked once per load
 */
export function pgLocalDateText(value: Date, zoneIsUtc = false): string | undefined {
  // Local-time lookups cost more than the formatting; in UTC there is nothing to look up.
  if (zoneIsUtc) {
    const text = civilText(value.getTime(), 'T');
    return text === undefined || text.startsWith('0000') ? undefined : `${text}+00:00`;
  }
  const offset = -value.getTimezoneOffset();
  // getTimezoneOffset drops the seconds of historic local mean times (Amsterdam's +00:19:32),
  // which pg's local fields keep; such dates, and year 0 (pg writes it as BC), are declined.
  if (value.getSeconds() !== value.getUTCSeconds()) return undefined;
  const local = civilText(value.getTime() + offset * MINUTE_MS, 'T');
  if (local === undefined || local.startsWith('0000')) return undefined;
  const magnitude = Math.abs(offset);
  return (
    local +
    (offset < 0 ? '-' : '+') +
    TWO_DIGITS[Math.floor(magnitude / 60)]! +
    ':' +
    TWO_DIGITS[magnitude % 60]!
  );
}
