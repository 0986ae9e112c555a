import { driverCodeOf, ErrorConverter, type DatabaseErrorKind } from './driver-errors';

// Server error numbers: https://mariadb.com/kb/en/mariadb-error-code-reference/
const BY_ERRNO: Readonly<Record<number, DatabaseErrorKind>> = Object.freeze({
  1406: 'invalid-data', // ER_DATA_TOO_LONG
  1264: 'invalid-data', // ER_WARN_DATA_OUT_OF_RANGE
  1265: 'invalid-data', // WARN_DATA_TRUNCATED
  1366: 'invalid-data', // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1292: 'invalid-data', // ER_TRUNCATED_WRONG_VALUE (dates)
  1062: 'unique', // ER_DUP_ENTRY
  1586: 'unique', // ER_DUP_ENTRY_WITH_KEY_NAME
  1048: 'not-null', // ER_BAD_NULL_ERROR
  1364: 'not-null', // ER_NO_DEFAULT_FOR_FIELD: a NOT NULL column was left out
  1451: 'foreign-key', // ER_ROW_IS_REFERENCED_2
  1452: 'foreign-key', // ER_NO_REFERENCED_ROW_2
  3819: 'check', // MySQL ER_CHECK_CONSTRAINT_VIOLATED
  4025: 'check', // MariaDB ER_CONSTRAINT_FAILED
  1213: 'deadlock', // ER_LOCK_DEADLOCK
  1020: 'serialization', // ER_CHECKREAD: MariaDB's innodb_snapshot_isolation write conflict
  1205: 'lock-timeout', // ER_LOCK_WAIT_TIMEOUT (also MariaDB's NOWAIT)
  3572: 'lock-timeout', // MySQL ER_LOCK_NOWAIT
  1040: 'connection-refused', // ER_CON_COUNT_ERROR: too many connections, refused at handshake
  2006: 'connection-lost', // CR_SERVER_GONE_ERROR
  2013: 'connection-lost', // CR_SERVER_LOST
  1053: 'connection-lost', // ER_SERVER_SHUTDOWN
  1927: 'connection-lost', // MariaDB ER_CONNECTION_KILLED
  4031: 'connection-lost', // MySQL ER_CLIENT_INTERACTION_TIMEOUT
});

const BY_CODE: Readonly<Record<string, DatabaseErrorKind>> = Object.freeze({
  PROTOCOL_CONNECTION_LOST: 'connection-lost',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  ECONNREFUSED: 'connection-refused',
});

/** mysql2 errors by the server's `errno`, else by the client's `code` or its `fatal` flag. */
export class MysqlErrors extends ErrorConverter {
  classify(error: unknown): DatabaseErrorKind | undefined {
    const errno = (error as { errno?: unknown } | null)?.errno;
    if (typeof errno === 'number' && errno in BY_ERRNO) return BY_ERRNO[errno];
    const code = driverCodeOf(error);
    const kind = typeof code === 'string' ? BY_CODE[code] : undefined;
    if (kind) return kind;
    // mysql2 marks errors that leave the connection unusable as fatal; without a server errno
    // they are the client's ("Can't add new command when connection is in closed state").
    const fatal = (error as { fatal?: unknown } | null)?.fatal === true;
    return fatal && !(typeof errno === 'number' && errno > 0) ? 'connection-lost' : undefined;
  }
}
