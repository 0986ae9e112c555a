import type { Driver, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { translateDriverError, type DatabaseErrorKind } from './driver-errors';
import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';

export type DialectName = 'postgres' | 'mysql' | 'sqlite';

export { driverCodeOf, unwrapDriverError, type DatabaseErrorKind } from './driver-errors';

/** Binds a value and returns its placeholder in the statement being built. */
export type Bind = (value: unknown) => string;

/** An upsert's conflict handling. Every column name is already quoted. */
export interface UpsertSpec {
  /** Columns that identify a conflict (`ON CONFLICT (…)`; MySQL reacts to any unique key). */
  readonly conflictColumns: readonly string[];
  /** Columns overwritten from the incoming row. All lists empty means "skip on conflict". */
  readonly updateColumns: readonly string[];
  /** Columns incremented by one on update: the version. */
  readonly incrementColumns?: readonly string[];
  /** Columns set to now on update: the update date. */
  readonly touchColumns?: readonly string[];
  /**
   * The update applies only where the existing row's value equals the incoming one exactly
   * ({@link DialectAdapter.exactEquals}): the tenant.
   */
  readonly guardEqual?: readonly string[];
  /** The update applies only where the existing row's value is NULL: the delete date. */
  readonly guardNull?: readonly string[];
}

/** The alias of an INSERT's target table, used by upserts. */
export const UPSERT_ALIAS = '"t0"';

/**
 * Everything that differs between PostgreSQL, MySQL/MariaDB and SQLite. The rest of the library
 * asks the adapter and never branches on the dialect's name. Defaults here follow standard SQL;
 * each dialect overrides only what differs.
 */
/**
 * Rows for a bulk load, read cell by cell (driver values, `column` in the order of the load's
 * columns), so that no row-by-column matrix is built for a large load.
 */
export interface CopySource {
  readonly rowCount: number;
  readonly columnCount: number;
  value(row: number, column: number): unknown;
}

/** Which statements take a RETURNING clause on a dialect (and server version). */
export interface ReturningSupport {
  readonly insert: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** RETURNING on INSERT, UPDATE and DELETE alike (PostgreSQL, SQLite). */
export const EVERY_STATEMENT: ReturningSupport = Object.freeze({
  insert: true,
  update: true,
  delete: true,
});

/**
 * Rows per statement unless `batchSize` says otherwise, on dialects whose statements grow with
 * the rows (MySQL, SQLite): the best size `npm run bench -- batch` found. PostgreSQL's is larger
 * (`DialectAdapter.defaultBatchSize`).
 */
export const DEFAULT_BATCH_SIZE = 1000;

export abstract class DialectAdapter {
  abstract readonly name: DialectName;
  /** Most bind parameters one statement may carry. */
  abstract readonly maxBindParameters: number;
  /** Largest statement the server accepts, in bytes (MySQL's `max_allowed_packet`). */
  readonly maxStatementBytes: number = Number.POSITIVE_INFINITY;
  /** Which statements take a RETURNING clause. */
  abstract readonly returning: ReturningSupport;
  /**
   * Whether an INSERT's RETURNING also returns the existing rows its conflict clause touched
   * without changing (MySQL's `ON DUPLICATE KEY UPDATE pk = pk` does; `DO NOTHING` does not).
   */
  readonly returnsConflictingRows: boolean = false;
  /**
   * What makes a SELECT a locking read (`FOR UPDATE`), for keys read before an upsert inside its
   * transaction: a row another connection inserts meanwhile must wait, or the upsert would count
   * it as its own insert. Empty where writes are serialised anyway (SQLite).
   */
  readonly lockingRead: string = ' FOR UPDATE';

  /**
   * The LIMIT to send with an OFFSET that has none, where the dialect needs one (MySQL has no
   * OFFSET without LIMIT); `undefined` where OFFSET stands alone.
   */
  readonly limitForBareOffset: number | undefined = undefined;

  /** The placeholder for the `index`-th (0-based) bound value of a statement. */
  placeholder(_index: number): string {
    return '?';
  }

  /** Where raw SQL is code and where it is a literal or a comment (see `repo.query`). */
  readonly sqlLexicon: SqlLexicon = STANDARD_LEXICON;

  /** A Date as a raw query binds it: the driver's own conversion, as the entity writes use. */
  bindableDate(value: Date): unknown {
    return value;
  }

  /**
   * How a bulk write turns one column's values into bound values: what TypeORM's
   * `preparePersistentValue` does, as one function per column so a dialect can replace a slow
   * conversion for the column types it knows.
   */
  persistentValue(column: ColumnMetadata, driver: Driver): (value: unknown) => unknown {
    return (value) => driver.preparePersistentValue(value, column);
  }

  /** A boolean as a raw query binds it. */
  bindableBoolean(value: boolean): unknown {
    return value;
  }

  /**
   * An array bound as one value (outside `IN (:list)`): JSON text where the dialect has no
   * array type. Elements are already bindable.
   */
  bindableArray(values: readonly unknown[]): unknown {
    return JSON.stringify(values);
  }

  /**
   * `[NOT] IN (…)` over a list of bindable values: one placeholder per value, and an empty row
   * set for an empty list, so that `IN` matches nothing and `NOT IN` everything.
   */
  inList(values: readonly unknown[], negated: boolean, bind: Bind): string {
    const items = values.length > 0 ? values.map(bind).join(', ') : this.emptyRowSet();
    return `${negated ? 'NOT IN' : 'IN'} (${items})`;
  }

  /**
   * A fast reader of the datetime text the driver hands back, giving exactly the Date TypeORM's
   * hydration would, or `undefined` for text it does not handle (then TypeORM's hydration runs).
   * `undefined` where the driver returns Dates itself.
   */
  readonly datetimeText?: (text: string) => Date | undefined;

  /** Bind parameters {@link inList} takes for a list of `length` values. */
  listParameters(length: number): number {
    return length;
  }

  /** A subquery with no rows, for an empty `IN` list (`IN ()` is a syntax error). */
  protected emptyRowSet(): string {
    return 'SELECT NULL WHERE 1 = 0';
  }

  /**
   * A query for one value (`watermark`) that no existing row's generated key exceeds and that
   * every key the next INSERT generates will exceed, so that an upsert's RETURNING tells inserted
   * rows from updated ones without reading the incoming keys first; `undefined` where generated
   * keys give no such guarantee. Used only for rows that leave the key to the database, in the
   * same transaction as the INSERT.
   */
  generatedKeyWatermark(_table: string, _primary: ColumnMetadata): string | undefined {
    return undefined;
  }

  /**
   * The generated key of a row just inserted without RETURNING, from the driver's result.
   * Only called where an INSERT has no RETURNING ({@link returning}).
   */
  insertedId(_raw: unknown): unknown {
    return undefined;
  }

  /**
   * How far apart the AUTO_INCREMENT ids of one multi-row INSERT are, when the server guarantees
   * they are consecutive; `undefined` when it does not. Only asked where RETURNING is missing.
   */
  async insertIdStep(
    _query: (sql: string) => Promise<Record<string, unknown>[]>,
  ): Promise<number | undefined> {
    return undefined;
  }

  /**
   * The SQL type of a column's values when bound as one array per column, for an
   * `INSERT … SELECT FROM unnest($1::type[], …)` whose parameter count does not grow with the
   * rows; `undefined` where the dialect (or the column's type) has no such form.
   */
  arrayElementType(_column: ColumnMetadata, _driver: Driver): string | undefined {
    return undefined;
  }

  /**
   * How many statements of one bulk call may run at once, each on its own pooled connection,
   * outside a transaction. Servers work on a statement while the client prepares the next.
   */
  readonly writeConcurrency: number = 2;

  /** Whether {@link copyRows} is available: a bulk-load path faster than any INSERT. */
  readonly supportsCopy: boolean = false;
  /**
   * Rows per bulk INSERT when the caller gives no `batchSize`: the best size `npm run bench --
   * batch` measured for the dialect's statement form.
   */
  readonly defaultBatchSize: number = DEFAULT_BATCH_SIZE;

  /**
   * Loads rows with the dialect's bulk-load protocol on the runner's connection. Only called
   * where {@link supportsCopy} is true.
   */
  copyRows(
    _runner: QueryRunner,
    table: string,
    _columns: readonly string[],
    _rows: CopySource,
  ): Promise<number> {
    throw new Error(`${this.name} has no bulk-load protocol (COPY into ${table})`);
  }

  /** The body of an INSERT that gives every column its default. */
  defaultValuesClause(): string {
    return 'DEFAULT VALUES';
  }

  quoteIdentifier(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  /** A SQL expression for "now" with sub-second precision where the dialect has it. */
  currentTimestamp(): string {
    return 'CURRENT_TIMESTAMP';
  }

  /**
   * `column` equals `value` exactly: byte for byte, whatever the column's collation (no case
   * folding, no trailing-space padding). The tenant guard of every statement is written by this.
   * `value` returns the SQL of the compared value and is called once per occurrence, so that a
   * bound parameter is bound again where the form needs it twice. Standard SQL: plain `=`, exact
   * under PostgreSQL's deterministic collations (every built-in one).
   */
  exactEquals(column: string, value: () => string): string {
    return `${column} = ${value()}`;
  }

  /** Case-sensitive pattern match whose wildcards in `value` match literally. */
  matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `${column} LIKE ${bind(likePattern(mode, value))} ESCAPE '${LIKE_ESCAPE}'`;
  }

  /** Case-insensitive pattern match whose wildcards in `value` match literally. */
  matchCaseInsensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `LOWER(${column}) LIKE LOWER(${bind(likePattern(mode, value))}) ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * What to add to ORDER BY so that NULLs sort as the smallest value on every dialect
   * (first ascending, last descending), which is what MySQL and SQLite do natively.
   */
  nullsOrdering(_direction: 'ASC' | 'DESC'): 'NULLS FIRST' | 'NULLS LAST' | undefined {
    return undefined;
  }

  /**
   * The start of a multi-row INSERT. The target gets an alias so that an upsert can tell the
   * existing row (`t0.version`) from the incoming one (`EXCLUDED.version`).
   */
  insertInto(table: string, columns: readonly string[]): string {
    return `INSERT INTO ${table} AS ${UPSERT_ALIAS} (${columns.join(', ')})`;
  }

  /** The existing row's value of `column` inside an upsert's update. */
  protected existing(column: string): string {
    return `${UPSERT_ALIAS}.${column}`;
  }

  /** The incoming row's value of `column` inside an upsert's update. */
  protected incoming(column: string): string {
    return `EXCLUDED.${column}`;
  }

  /** The assignments of an upsert's update, without their guard. */
  protected upsertAssignments(spec: UpsertSpec): { column: string; value: string }[] {
    return [
      ...spec.updateColumns.map((c) => ({ column: c, value: this.incoming(c) })),
      ...(spec.incrementColumns ?? []).map((c) => ({
        column: c,
        value: `${this.existing(c)} + 1`,
      })),
      ...(spec.touchColumns ?? []).map((c) => ({ column: c, value: this.currentTimestamp() })),
    ];
  }

  /** The condition under which an upsert may overwrite the existing row, if any. */
  protected upsertGuard(spec: UpsertSpec): string | undefined {
    const conditions = [
      ...(spec.guardEqual ?? []).map((c) =>
        this.exactEquals(this.existing(c), () => this.incoming(c)),
      ),
      ...(spec.guardNull ?? []).map((c) => `${this.existing(c)} IS NULL`),
    ];
    return conditions.length > 0 ? conditions.join(' AND ') : undefined;
  }

  /** `ON CONFLICT (…) DO NOTHING`, or `DO UPDATE SET … [WHERE guard]`. */
  upsertClause(spec: UpsertSpec): string {
    const target = `(${spec.conflictColumns.join(', ')})`;
    const assignments = this.upsertAssignments(spec);
    if (assignments.length === 0) return `ON CONFLICT ${target} DO NOTHING`;
    const sets = assignments.map((a) => `${a.column} = ${a.value}`).join(', ');
    const guard = this.upsertGuard(spec);
    return `ON CONFLICT ${target} DO UPDATE SET ${sets}${guard ? ` WHERE ${guard}` : ''}`;
  }

  /**
   * A RETURNING expression that is true for rows an upsert inserted and false for rows it
   * updated, where the dialect has one; otherwise the caller reads the existing keys first.
   */
  upsertInsertedFlag(): string | undefined {
    return undefined;
  }

  /** Whether the value the driver returned for {@link upsertInsertedFlag} means "inserted". */
  readInsertedFlag(value: unknown): boolean {
    return value === true || value === 1 || value === '1';
  }

  /** `SAVEPOINT name`, and its release and rollback: a bulk call's isolation inside a transaction. */
  savepoint(name: string): string {
    return `SAVEPOINT ${name}`;
  }

  releaseSavepoint(name: string): string {
    return `RELEASE SAVEPOINT ${name}`;
  }

  rollbackToSavepoint(name: string): string {
    return `ROLLBACK TO SAVEPOINT ${name}`;
  }

  /** Classifies a driver error; `undefined` when it is not one this library distinguishes. */
  abstract classifyError(error: unknown): DatabaseErrorKind | undefined;

  /** Turns a driver error (or TypeORM's QueryFailedError around one) into a typed error. */
  translateError(error: unknown): Error {
    return translateDriverError(error, (driverError) => this.classifyError(driverError));
  }
}
