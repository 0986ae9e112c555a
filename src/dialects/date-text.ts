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

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days-from-civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The two decimal digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * The instant of `YYYY-MM-DD HH:MM[:SS[.SSS]]` (space or `T`) read as UTC, as TypeORM's SQLite
 * driver reads its datetime text, or `undefined` for any other text (the caller then keeps the
 * driver's reading). By character codes and integer arithmetic: a regex, its match array and
 * `Date.UTC` cost more than the rest of a row's hydration. A day past the month's end rolls
 * over (Feb 30 is Mar 1) and `24:00` is the next midnight, as `Date` reads them.
 */
export function utcDatetimeFromText(text: string): Date | undefined {
  const { length } = text;
  if (length !== 16 && length !== 19 && length !== 23) return undefined;
  const separator = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58)
    return undefined; // '-', '-', ':'
  if (separator !== 32 && separator !== 84) return undefined; // ' ' or 'T'
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  let second = 0;
  let ms = 0;
  if (length > 16) {
    if (text.charCodeAt(16) !== 58) return undefined;
    second = twoDigits(text, 17);
  }
  if (length > 19) {
    const last = text.charCodeAt(22) - 48;
    const first = twoDigits(text, 20);
    if (text.charCodeAt(19) !== 46 || first < 0 || last < 0 || last > 9) return undefined;
    ms = first * 10 + last;
  }
  // Fields in the ranges where this and Date's own parsing agree (neither rolls differently).
  if (century < 1 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1 || day > 31)
    return undefined;
  if (hour < 0 || hour > 24 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0 || ms !== 0)) return undefined;
  const days = daysFromCivil(century * 100 + yearOfCentury, month, day);
  return new Date(days * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms);
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
