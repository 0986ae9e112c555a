import { DialectAdapter, type DialectOverrides } from './dialect-adapter';
import { dialectCapabilities, EVERY_STATEMENT } from './dialect-capabilities';
import { SqliteBinding } from './sqlite-binding';
import { SqliteBulkLoad } from './sqlite-bulk-load';
import { SqliteErrors } from './sqlite-errors';
import { SqliteSyntax } from './sqlite-syntax';

/** SQLite's limits: SQLITE_MAX_VARIABLE_NUMBER since 3.32, RETURNING since 3.35, one writer. */
export const SQLITE_CAPABILITIES = dialectCapabilities({
  maxBindParameters: 32_766,
  // better-sqlite3 bundles a SQLite newer than 3.35.
  returning: EVERY_STATEMENT,
  // One writer at a time, and better-sqlite3 runs statements synchronously anyway.
  writeConcurrency: 1,
  // SQLite's transactions are serializable; read_uncommitted only matters in shared-cache mode.
  isolationLevels: Object.freeze(['READ UNCOMMITTED', 'SERIALIZABLE']),
});

/**
 * SQLite through better-sqlite3 (TypeORM's `type: 'better-sqlite3'`); node-sqlite3 (`'sqlite'`) is
 * `NodeSqlite3Adapter`.
 */
export class SqliteAdapter extends DialectAdapter {
  /**
   * @param connection The DataSource's current driver connection (better-sqlite3's `Database`),
   *   asked at each case-insensitive match: TypeORM opens a new one when the DataSource is
   *   initialized again. Without it, `icontains` folds ASCII only.
   * @param overrides parts of a subclass that differ
   */
  constructor(connection?: () => unknown, overrides: DialectOverrides = {}) {
    super(overrides.name ?? 'sqlite', {
      capabilities: overrides.capabilities ?? SQLITE_CAPABILITIES,
      syntax: overrides.syntax ?? new SqliteSyntax(connection),
      binding: overrides.binding ?? new SqliteBinding(),
      errors: overrides.errors ?? new SqliteErrors(),
      bulkLoad: overrides.bulkLoad ?? new SqliteBulkLoad(),
    });
  }
}
