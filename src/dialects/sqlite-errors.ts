import { driverCodeOf, ErrorConverter, type DatabaseErrorKind } from './driver-errors';

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

/** better-sqlite3's errors by their extended result code. */
export class SqliteErrors extends ErrorConverter {
  classify(error: unknown): DatabaseErrorKind | undefined {
    const code = driverCodeOf(error);
    return typeof code === 'string' ? KINDS[code] : undefined;
  }
}
