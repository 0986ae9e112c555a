import { DialectAdapter, type DialectOverrides } from './dialect-adapter';
import { dialectCapabilities } from './dialect-capabilities';
import { NodeSqlite3Binding } from './node-sqlite3-binding';
import { NodeSqlite3BulkLoad } from './node-sqlite3-bulk-load';
import { NodeSqlite3Errors } from './node-sqlite3-errors';
import { SQLITE_CAPABILITIES } from './sqlite-adapter';
import { SqliteSyntax } from './sqlite-syntax';

/**
 * SQLite's limits through node-sqlite3: no RETURNING, though SQLite has it, because TypeORM 0.3's
 * runner sends every INSERT, UPDATE and DELETE by `Database#run`, which drops the rows; the
 * library then reads rows back as it does on MySQL.
 */
export const NODE_SQLITE3_CAPABILITIES = dialectCapabilities({
  ...SQLITE_CAPABILITIES,
  returning: Object.freeze({ insert: false, update: false, delete: false }),
});

/**
 * SQLite through node-sqlite3, TypeORM 0.3's `type: 'sqlite'` (TypeORM 1.x has no such type: use
 * better-sqlite3 there). SQLite's SQL, with the driver's own errors, keys and bigint binding.
 */
export class NodeSqlite3Adapter extends DialectAdapter {
  /** @param overrides parts of a subclass that differ */
  constructor(overrides: DialectOverrides = {}) {
    super(overrides.name ?? 'sqlite', {
      capabilities: overrides.capabilities ?? NODE_SQLITE3_CAPABILITIES,
      // node-sqlite3 cannot define SQL functions: `icontains` folds ASCII letters only.
      syntax: overrides.syntax ?? new SqliteSyntax(),
      binding: overrides.binding ?? new NodeSqlite3Binding(),
      errors: overrides.errors ?? new NodeSqlite3Errors(),
      bulkLoad: overrides.bulkLoad ?? new NodeSqlite3BulkLoad(),
    });
  }
}
