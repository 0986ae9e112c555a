import type { Driver } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { DateUtils } from 'typeorm/util/DateUtils';
import {
  DialectAdapter,
  driverCodeOf,
  EVERY_STATEMENT,
  type Bind,
  type DatabaseErrorKind,
  type ReturningSupport,
} from './dialect-adapter';
import { utcDatetimeFromText, utcDatetimeText } from './date-text';
import { globPattern, LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { simpleLowercase } from './simple-lowercase';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';

// better-sqlite3 reports extended result codes as strings: https://sqlite.org/rescode.html
const KINDS: Readonly<Record<string, DatabaseErrorKind>> = Object.freeze({
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_BUSY: 'busy',
  SQLITE_BUSY_SNAPSHOT: 'busy',
  SQLITE_BUSY_RECOVERY: 'busy',
  SQLITE_BUSY_TIMEOUT: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_LOCKED_SHAREDCACHE: 'busy',
});

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

/** Lists up to this long are written inline, one placeholder per value. */
const INLINE_LIST = 100;

/** The SQL function {@link SqliteAdapter} registers for `icontains`: {@link simpleLowercase}. */
export const LOWER_FUNCTION = 'tbr_lower';

/** What better-sqlite3's `Database` offers to define a function; node-sqlite3's has none. */
interface FunctionHost {
  function(name: string, options: { deterministic: boolean }, fn: (v: unknown) => unknown): void;
}

/** The connections {@link LOWER_FUNCTION} is registered on. */
const prepared = new WeakSet<object>();

const lowerValue = (value: unknown) => (typeof value === 'string' ? simpleLowercase(value) : value);

/**
 * Registers {@link LOWER_FUNCTION} on `connection` once. False where the driver cannot define
 * functions (node-sqlite3).
 */
function prepareLower(connection: unknown): boolean {
  if (typeof connection !== 'object' || connection === null) return false;
  if (prepared.has(connection)) return true;
  if (typeof (connection as Partial<FunctionHost>).function !== 'function') return false;
  (connection as FunctionHost).function(LOWER_FUNCTION, { deterministic: true }, lowerValue);
  prepared.add(connection);
  return true;
}

export class SqliteAdapter extends DialectAdapter {
  readonly name = 'sqlite';

  /**
   * @param connection The DataSource's current driver connection (better-sqlite3's `Database`),
   *   asked at each case-insensitive match: TypeORM opens a new one when the DataSource is
   *   initialized again. Without it, or on node-sqlite3, `icontains` folds ASCII only.
   */
  constructor(private readonly connection?: () => unknown) {
    super();
  }
  /** SQLITE_MAX_VARIABLE_NUMBER since 3.32. */
  readonly maxBindParameters = 32_766;
  /** Since SQLite 3.35; better-sqlite3 bundles a newer one. */
  readonly returning: ReturningSupport = EVERY_STATEMENT;
  /** SQLite has no OFFSET without LIMIT; a negative LIMIT means none. */
  override readonly limitForBareOffset = -1;

  /**
   * A list longer than {@link INLINE_LIST} goes as one JSON parameter read by `json_each`, so that
   * its length is not bounded by SQLite's 32,766 bind parameters; a short one inline, which plans
   * as well and parses faster.
   */
  override inList(values: readonly unknown[], negated: boolean, bind: Bind): string {
    if (values.length <= INLINE_LIST) return super.inList(values, negated, bind);
    const json = JSON.stringify(values.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
    return `${negated ? 'NOT IN' : 'IN'} (SELECT value FROM json_each(${bind(json)}))`;
  }

  override listParameters(length: number): number {
    return length <= INLINE_LIST ? length : 1;
  }

  /**
   * SQLite stores datetimes as UTC text (`'2024-02-29 23:59:58.123'`); TypeORM turns that into
   * ISO text with a `Z` and parses it, which was most of a `list()` page's cost. Read directly:
   * the same instant, for exactly the texts TypeORM reads as UTC (no fraction or three digits),
   * with fields in the ranges `Date` would not roll over differently; anything else goes to
   * TypeORM.
   */
  override readonly datetimeText = utcDatetimeFromText;

  /** One writer at a time: a transaction whose snapshot went stale cannot write (BUSY_SNAPSHOT). */
  override readonly lockingRead = '';

  /** One writer at a time, and better-sqlite3 runs statements synchronously anyway. */
  override readonly writeConcurrency = 1;

  /** SQLite also reads MySQL's and SQL Server's identifier quotes, and `@x`/`$x` placeholders. */
  override readonly sqlLexicon: SqlLexicon = Object.freeze({
    ...STANDARD_LEXICON,
    placeholderSigils: '@$',
    identifierQuotes: Object.freeze({ '"': '"', '`': '`', '[': ']' }),
  });

  /**
   * better-sqlite3 cannot bind a Date. TypeORM stores datetime columns as UTC text with
   * milliseconds (`2024-05-01 12:00:00.000`), which also compares correctly as text.
   */
  override bindableDate(value: Date): unknown {
    return utcDatetime(value);
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
   * An INTEGER PRIMARY KEY is the rowid, and SQLite gives a new row a rowid above the largest in
   * the table (with AUTOINCREMENT, which TypeORM declares, above the largest it ever held), so
   * `max(id)` read before an upsert separates its inserted rows from its updated ones.
   */
  override generatedKeyWatermark(table: string, primary: ColumnMetadata): string | undefined {
    if (primary.generationStrategy !== 'increment' || primary.entityMetadata.withoutRowid) {
      return undefined;
    }
    return `SELECT max(${this.quoteIdentifier(primary.databaseName)}) AS "watermark" FROM ${table}`;
  }

  /** SQLite has no boolean type; TypeORM stores booleans as 1 and 0. */
  override bindableBoolean(value: boolean): unknown {
    return value ? 1 : 0;
  }

  /** Millisecond precision, in the text format TypeORM stores datetimes in. */
  override currentTimestamp(): string {
    return "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')";
  }

  /**
   * `=` takes the column's declared collation (`COLLATE NOCASE`, `RTRIM`); an explicit
   * `COLLATE BINARY` on the value wins over it. The plain `=` first keeps an index declared with
   * the column's collation usable.
   */
  override exactEquals(column: string, value: () => string): string {
    return `${column} = ${value()} AND ${column} = ${value()} COLLATE BINARY`;
  }

  // LIKE ignores ASCII case in SQLite; GLOB does not.
  override matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `${column} GLOB ${bind(globPattern(mode, value))}`;
  }

  /**
   * SQLite's own LOWER and LIKE fold ASCII only: both sides go through {@link LOWER_FUNCTION},
   * a JS function (the pattern once, here; the column once per row: a scan takes 2.5x the ASCII-only
   * one, see docs/performance.md). It is registered on the connection at the first match.
   */
  override matchCaseInsensitive(
    column: string,
    mode: MatchMode,
    value: string,
    bind: Bind,
  ): string {
    if (!prepareLower(this.connection?.())) {
      return super.matchCaseInsensitive(column, mode, value, bind);
    }
    const pattern = bind(simpleLowercase(likePattern(mode, value)));
    return `${LOWER_FUNCTION}(${column}) LIKE ${pattern} ESCAPE '${LIKE_ESCAPE}'`;
  }

  classifyError(error: unknown): DatabaseErrorKind | undefined {
    const code = driverCodeOf(error);
    return typeof code === 'string' ? KINDS[code] : undefined;
  }
}
