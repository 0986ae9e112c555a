import { DialectAdapter, type DialectOverrides } from './dialect-adapter';
import { dialectCapabilities, type DialectCapabilities } from './dialect-capabilities';
import { MysqlBulkLoad } from './mysql-bulk-load';
import { MysqlErrors } from './mysql-errors';
import { MysqlSyntax } from './mysql-syntax';
import { ValueBinding } from './value-binding';

/**
 * Whether a MariaDB server of this version (TypeORM reads it when the DataSource connects, as
 * `driver.version`, e.g. `10.11.19`) takes INSERT … RETURNING: 10.5 and later.
 */
export function insertReturningOf(mariaDbVersion: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)/.exec(mariaDbVersion ?? '');
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 10 || (major === 10 && minor >= 5);
}

/**
 * MySQL's and MariaDB's limits.
 *
 * @param maxStatementBytes the server's `max_allowed_packet`
 * @param insertReturning the server takes INSERT … RETURNING ({@link insertReturningOf})
 */
export function mysqlCapabilities(
  maxStatementBytes: number,
  insertReturning: boolean,
): DialectCapabilities {
  return dialectCapabilities({
    /** Prepared statements count placeholders in a uint16. */
    maxBindParameters: 65_535,
    maxStatementBytes,
    // MariaDB has INSERT … RETURNING since 10.5 (and DELETE … RETURNING, not used here); MySQL
    // has none. Without it, inserted rows are read back after the INSERT.
    returning: Object.freeze({ insert: insertReturning, update: false, delete: false }),
    returnsConflictingRows: true,
  });
}

/** MySQL 5.7+ and MariaDB 10.3+ through mysql2 (TypeORM's `type: 'mysql'` and `'mariadb'`). */
export class MysqlAdapter extends DialectAdapter {
  /**
   * @param maxStatementBytes the server's `max_allowed_packet` (default 16 MiB on MariaDB 10.11)
   * @param insertReturning the server takes INSERT … RETURNING ({@link insertReturningOf})
   * @param overrides parts of a subclass that differ
   */
  constructor(
    maxStatementBytes: number = 16 * 1024 * 1024,
    insertReturning = false,
    overrides: DialectOverrides = {},
  ) {
    super(overrides.name ?? 'mysql', {
      capabilities: overrides.capabilities ?? mysqlCapabilities(maxStatementBytes, insertReturning),
      syntax: overrides.syntax ?? new MysqlSyntax(),
      binding: overrides.binding ?? new ValueBinding(),
      errors: overrides.errors ?? new MysqlErrors(),
      bulkLoad: overrides.bulkLoad ?? new MysqlBulkLoad(),
    });
  }
}
