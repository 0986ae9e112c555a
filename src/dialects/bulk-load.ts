import type { Driver, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Rows for a bulk load, read cell by cell (driver values, `column` in the order of the load's
 * columns), so that no row-by-column matrix is built for a large load.
 */
export interface CopySource {
  readonly rowCount: number;
  readonly columnCount: number;
  value(row: number, column: number): unknown;
}

/** One column of an {@link BulkLoad.arraySelect}: its bound array and the array's element type. */
export interface ArrayColumn {
  /** The placeholder of the bound array. */
  readonly array: string;
  /** The SQL element type, from {@link BulkLoad.arrayElementType}. */
  readonly type: string;
}

/**
 * Rows per statement unless `batchSize` says otherwise, on dialects whose statements grow with
 * the rows (MySQL, SQLite): the best size `npm run bench -- batch` found. PostgreSQL's is larger
 * (`BulkLoad.defaultBatchSize`).
 */
export const DEFAULT_BATCH_SIZE = 1000;

/**
 * The bulk-load part of a dialect: the forms a bulk write may take besides a multi-row
 * `INSERT … VALUES` (a bulk-load protocol such as PostgreSQL's COPY, an INSERT that binds one array
 * per column), and how a write without RETURNING learns the keys the database generated (the
 * driver's inserted id, the AUTO_INCREMENT step, a watermark). The defaults have none of these: a
 * dialect with only `INSERT … VALUES … RETURNING` overrides nothing.
 */
export class BulkLoad {
  /**
   * Rows per bulk INSERT when the caller gives no `batchSize`: the best size `npm run bench --
   * batch` measured for the dialect's statement form. Larger statements hold more client memory
   * and, where the statement grows with its rows, take longer to parse.
   * @default 1000 ({@link DEFAULT_BATCH_SIZE})
   */
  readonly defaultBatchSize: number = DEFAULT_BATCH_SIZE;

  /**
   * Whether {@link copyRows} is available: a bulk-load path faster than any INSERT, used for plain
   * inserts whose ids nobody asked for.
   * @default false
   */
  readonly supportsCopy: boolean = false;

  /**
   * The statement of a bulk load into `table` (quoted) of `columns` (quoted), as
   * {@link copyRows} sends it and a dry run shows it. Only called where {@link supportsCopy}.
   */
  copyStatement(table: string, _columns: readonly string[]): string {
    throw new Error(`this dialect has no bulk-load protocol (COPY into ${table})`);
  }

  /**
   * Loads rows with the dialect's bulk-load protocol on the runner's connection, so that the load
   * joins the runner's transaction; resolves to the rows loaded. Only called where
   * {@link supportsCopy} is true.
   */
  copyRows(
    _runner: QueryRunner,
    table: string,
    _columns: readonly string[],
    _rows: CopySource,
  ): Promise<number> {
    throw new Error(`this dialect has no bulk-load protocol (COPY into ${table})`);
  }

  /**
   * The SQL type of a column's values when bound as one array per column, for an
   * `INSERT … {@link arraySelect}` whose parameter count does not grow with the rows; `undefined`
   * where the dialect (or the column's type) has no such form.
   */
  arrayElementType(_column: ColumnMetadata, _driver: Driver): string | undefined {
    return undefined;
  }

  /**
   * The row source of an INSERT that binds one array per column, with `stamps` (SQL expressions:
   * the version's `1`, now) as further columns of every row. Only called where
   * {@link arrayElementType} gave every column a type.
   */
  arraySelect(_columns: readonly ArrayColumn[], _stamps: readonly string[]): string {
    throw new Error('this dialect binds no arrays of rows');
  }

  /**
   * The generated key of the first row an INSERT without RETURNING wrote, from the driver's
   * result. Only called where an INSERT has no RETURNING (`DialectCapabilities.returning`).
   *
   * @param rowCount the rows the INSERT wrote: a driver that reports the last row's key
   *   (node-sqlite3's `lastID`) counts back by it
   */
  insertedId(_raw: unknown, _rowCount?: number): unknown {
    return undefined;
  }

  /**
   * How far apart the AUTO_INCREMENT ids of one multi-row INSERT are, when the server guarantees
   * they are consecutive; `undefined` when it does not. Only asked where RETURNING is missing,
   * once per bulk call; `query` runs a statement on the call's connection.
   */
  async insertIdStep(
    _query: (sql: string) => Promise<Record<string, unknown>[]>,
  ): Promise<number | undefined> {
    return undefined;
  }

  /**
   * A query for one value (`watermark`) that no existing row's generated key exceeds and that
   * every key the next INSERT generates will exceed, so that an upsert's RETURNING tells inserted
   * rows from updated ones without reading the incoming keys first; `undefined` where generated
   * keys give no such guarantee. Used only for rows that leave the key to the database, in the
   * same transaction as the INSERT.
   *
   * @param table the table, quoted
   * @param primary the primary-key column, quoted
   * @param column the primary-key column's metadata
   */
  generatedKeyWatermark(
    _table: string,
    _primary: string,
    _column: ColumnMetadata,
  ): string | undefined {
    return undefined;
  }
}
