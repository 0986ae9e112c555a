import type { Driver } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { DateUtils } from 'typeorm/util/DateUtils';
import { utcDatetimeFromText, utcDatetimeText } from './date-text';
import { ValueBinding } from './value-binding';

/**
 * TypeORM's datetime text (`2024-05-01 12:00:00.000`, UTC), by the fast formatter where it
 * applies and TypeORM's own elsewhere.
 */
export function utcDatetime(value: Date): string {
  return utcDatetimeText(value) ?? (DateUtils.mixedDateToUtcDatetimeString(value) as string);
}

/**
 * The column types whose values TypeORM's SQLite driver converts on the way in
 * (`AbstractSqliteDriver.preparePersistentValue`); it passes every other type through.
 */
const CONVERTED_TYPES: ReadonlySet<string> = new Set([
  'boolean',
  'date',
  'time',
  'datetime',
  'json',
  'jsonb',
  'simple-json',
  'simple-array',
  'simple-enum',
]);
const passThrough = (value: unknown) => value;

/**
 * SQLite's binding: no boolean or datetime types (TypeORM stores 1/0 and UTC text), and a driver
 * that cannot bind a Date.
 */
export class SqliteBinding extends ValueBinding {
  /**
   * better-sqlite3 cannot bind a Date. TypeORM stores datetime columns as UTC text with
   * milliseconds (`2024-05-01 12:00:00.000`), which also compares correctly as text.
   */
  override bindableDate(value: Date): unknown {
    return utcDatetime(value);
  }

  /** SQLite has no boolean type; TypeORM stores booleans as 1 and 0. */
  override bindableBoolean(value: boolean): unknown {
    return value ? 1 : 0;
  }

  /**
   * Datetime columns take the fast UTC text form; columns TypeORM's SQLite driver passes through
   * unchanged take no call at all; the rest TypeORM's own conversion.
   */
  override persistentValue(column: ColumnMetadata, driver: Driver): (value: unknown) => unknown {
    if (column.transformer) return super.persistentValue(column, driver);
    if (column.type === Date || column.type === 'datetime') {
      return (value) =>
        value instanceof Date ? utcDatetime(value) : driver.preparePersistentValue(value, column);
    }
    const { type } = column;
    const passes =
      type === String ||
      type === Number ||
      (typeof type === 'string' && !CONVERTED_TYPES.has(type));
    return passes ? passThrough : super.persistentValue(column, driver);
  }

  /**
   * SQLite stores datetimes as UTC text (`'2024-02-29 23:59:58.123'`); TypeORM turns that into
   * ISO text with a `Z` and parses it, which was most of a `list()` page's cost. Read directly:
   * the same instant, for exactly the texts TypeORM reads as UTC (no fraction or three digits),
   * with fields in the ranges `Date` would not roll over differently; anything else goes to
   * TypeORM.
   */
  override readonly datetimeText = utcDatetimeFromText;
}
