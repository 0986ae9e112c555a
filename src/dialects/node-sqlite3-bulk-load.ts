import { SqliteBulkLoad } from './sqlite-bulk-load';

/**
 * The keys of an INSERT through node-sqlite3, where TypeORM 0.3's runner returns no rows for an
 * INSERT (it runs every statement that starts with `INSERT ` by `Database#run`) but the last
 * inserted rowid.
 */
export class NodeSqlite3BulkLoad extends SqliteBulkLoad {
  /**
   * TypeORM's result is the statement's `lastID`: the rowid of its last row. SQLite gives each
   * row of one INSERT the next rowid in VALUES order (one writer at a time, and AUTOINCREMENT,
   * which TypeORM declares, never reuses one), so the first row's is `rowCount - 1` below it.
   */
  override insertedId(raw: unknown, rowCount = 1): unknown {
    return typeof raw === 'number' ? raw - (rowCount - 1) : undefined;
  }

  /** Consecutive rowids within one INSERT, as {@link insertedId} explains. */
  override insertIdStep(): Promise<number | undefined> {
    return Promise.resolve(1);
  }
}
