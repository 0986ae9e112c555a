import { unreachable } from '../unreachable';
import type { ColumnDomain, IntegerDomain } from './column-domain';
import type { ModelColumn } from './entity-model';

/**
 * Values by column domain, one rule on every dialect: what a column may be given (writes), what a
 * key looks like in one canonical spelling (ids, cache keys, key matching in bulk calls), and the
 * checks filters share. Each dialect would otherwise decide on its own: PostgreSQL refuses `1.5`
 * for an `int` after the SQL is sent, MySQL rounds it, SQLite stores it.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+)(\.\d+)?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Years every dialect's date and timestamp types hold (MySQL's DATETIME: 1000–9999; see below). */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

/** What is wrong with a value for a column, as a constraint name and message. */
export interface ValueProblem {
  readonly constraint: string;
  readonly message: string;
}

/** A value accepted for a column, in the spelling to send (a UUID in lower case). */
export type Checked = { readonly value: unknown } | { readonly problem: ValueProblem };

/**
 * Checks a value to be written to `column`; `null` passes (NOT NULL is the database's to report,
 * per row). Integers must be whole and in the type's range, decimals fit their precision, text
 * holds no NUL and fits its length, dates are valid and within years 1–9999, UUIDs well formed.
 */
export function checkStored(column: ModelColumn, value: unknown): Checked {
  if (value === null || value === undefined) return { value };
  const domain = column.domain;
  switch (domain.kind) {
    case 'integer': {
      const n = integerOf(value);
      if (n === undefined) return problem('isInt', 'a whole number');
      return inRange(domain, n) ? { value } : problem('isInt', rangeText(domain));
    }
    case 'decimal':
      return checkDecimal(domain.integerDigits, value);
    case 'float':
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return problem('isFinite', 'a finite number');
      }
      return { value };
    case 'uuid':
      return isUuid(value) ? { value: value.toLowerCase() } : problem('isUUID', 'a UUID');
    case 'string':
      if (typeof value !== 'string') return { value };
      if (value.includes('\u0000')) return problem('noNul', 'text without NUL characters');
      if (domain.length !== undefined && codePoints(value) > domain.length) {
        return problem('maxLength', `at most ${domain.length} characters`);
      }
      return { value };
    case 'date':
      return dateProblem(domain.dateOnly, value) ?? { value };
    case 'boolean':
    case 'other':
      return { value };
    default:
      return unreachable(domain);
  }
}

/**
 * A primary-key value in its one canonical spelling, or `undefined` when it is no valid key of
 * the column: integers as numbers (as decimal strings for 64-bit columns, exact past 2^53), so
 * `'01'`, `1` and `1n` are one key and `1.5` or `'1.0'` none; UUIDs in lower case.
 */
export function canonicalKey(column: ModelColumn, id: unknown): string | number | undefined {
  const domain = column.domain;
  switch (domain.kind) {
    case 'integer': {
      if (typeof id === 'number') {
        // A number compared with the bigint bounds directly: no BigInt made on a lookup by id.
        if (!Number.isSafeInteger(id) || id < domain.min || id > domain.max) return undefined;
        if (domain.wide) return String(id);
        return id === 0 ? 0 : id; // -0 is 0
      }
      const n = integerOf(id);
      if (n === undefined || !inRange(domain, n)) return undefined;
      return domain.wide ? n.toString() : Number(n);
    }
    case 'uuid':
      return isUuid(id) ? id.toLowerCase() : undefined;
    case 'string':
      return typeof id === 'string' && !id.includes('\u0000') ? id : undefined;
    default:
      return typeof id === 'string' || typeof id === 'number' ? id : undefined;
  }
}

/** What a valid key of `column` looks like, for the error that refuses one. */
export function keyExpectation(column: ModelColumn): string {
  const domain = column.domain;
  switch (domain.kind) {
    case 'integer':
      return `an integer id, ${rangeText(domain)}`;
    case 'uuid':
      return 'a UUID';
    case 'string':
      return 'a string id without NUL characters';
    default:
      return 'a primary key value';
  }
}

/**
 * A key value as one comparable string, the same for the caller's spelling and the database's:
 * `7`, `'07'` and `7n` on an integer column; a UUID in any case; a Date by its instant; a Buffer
 * by its bytes. `undefined` for NULL (a NULL key collides with nothing).
 */
export function keyText(column: ModelColumn, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  switch (column.domain.kind) {
    case 'integer':
      return integerOf(value)?.toString() ?? String(value);
    case 'uuid':
      return String(value).toLowerCase();
    default:
      return String(value);
  }
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function isDecimalText(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_TEXT.test(value);
}

/** A whole number as a bigint: from a number, a bigint or an integer string; else `undefined`. */
export function integerOf(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return BigInt(value);
  return undefined;
}

export function inRange(domain: IntegerDomain, n: bigint): boolean {
  return n >= domain.min && n <= domain.max;
}

function rangeText(domain: IntegerDomain): string {
  return `from ${domain.min} to ${domain.max}`;
}

/** Why `value` is no date for the column (invalid, or outside years 1–9999), or `undefined`. */
export function dateProblem(dateOnly: boolean, value: unknown): Checked | undefined {
  if (typeof value === 'string' && dateOnly) {
    const m = DATE_ONLY.exec(value);
    if (!m) return problem('isDate', "a 'YYYY-MM-DD' date");
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    date.setUTCFullYear(year); // Date.UTC reads years 0–99 as 1900–1999
    const real = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    if (!real) return problem('isDate', "a 'YYYY-MM-DD' date");
    return year >= FIRST_YEAR ? undefined : problem('isDate', yearsText());
  }
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) return problem('isDate', 'a valid date');
  const year = date.getUTCFullYear();
  return year >= FIRST_YEAR && year <= LAST_YEAR ? undefined : problem('isDate', yearsText());
}

function yearsText(): string {
  return `a date from year ${FIRST_YEAR} to ${LAST_YEAR}`;
}

function checkDecimal(integerDigits: number | undefined, value: unknown): Checked {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return problem('isDecimal', 'a finite number');
    text = BigInt(Math.trunc(Math.abs(value))).toString();
  } else if (typeof value === 'bigint') {
    text = (value < 0n ? -value : value).toString();
  } else if (typeof value === 'string') {
    const m = DECIMAL_TEXT.exec(value);
    if (!m) return problem('isDecimal', 'a decimal number');
    text = m[1]!;
  } else {
    return { value };
  }
  const digits = text.replace(/^0+/, '').length;
  if (integerDigits !== undefined && digits > integerDigits) {
    return problem('isDecimal', `at most ${integerDigits} digits before the decimal point`);
  }
  return { value };
}

/** Characters as PostgreSQL and MySQL count them for a length: code points, not UTF-16 units. */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) n--; // the first half of a surrogate pair
  }
  return n;
}

function problem(constraint: string, expected: string): { problem: ValueProblem } {
  return { problem: { constraint, message: `must be ${expected}` } };
}

export type { ColumnDomain };
