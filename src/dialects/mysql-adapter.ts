import {
  DialectAdapter,
  driverCodeOf,
  type Bind,
  type DatabaseErrorKind,
  type UpsertSpec,
} from './dialect-adapter';
import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';

// Server error numbers: https://mariadb.com/kb/en/mariadb-error-code-reference/
const BY_ERRNO: Readonly<Record<number, DatabaseErrorKind>> = Object.freeze({
  1062: 'unique', // ER_DUP_ENTRY
  1586: 'unique', // ER_DUP_ENTRY_WITH_KEY_NAME
  1048: 'not-null', // ER_BAD_NULL_ERROR
  1364: 'not-null', // ER_NO_DEFAULT_FOR_FIELD: a NOT NULL column was left out
  1451: 'foreign-key', // ER_ROW_IS_REFERENCED_2
  1452: 'foreign-key', // ER_NO_REFERENCED_ROW_2
  3819: 'check', // MySQL ER_CHECK_CONSTRAINT_VIOLATED
  4025: 'check', // MariaDB ER_CONSTRAINT_FAILED
  1213: 'deadlock', // ER_LOCK_DEADLOCK
  1205: 'lock-timeout', // ER_LOCK_WAIT_TIMEOUT
  2006: 'connection-lost', // CR_SERVER_GONE_ERROR
  2013: 'connection-lost', // CR_SERVER_LOST
});

const BY_CODE: Readonly<Record<string, DatabaseErrorKind>> = Object.freeze({
  PROTOCOL_CONNECTION_LOST: 'connection-lost',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  ECONNREFUSED: 'connection-refused',
});

/** MySQL 5.7+ and MariaDB 10.3+. */
export class MysqlAdapter extends DialectAdapter {
  readonly name = 'mysql';
  /** Prepared statements count placeholders in a uint16. */
  readonly maxBindParameters = 65_535;
  readonly supportsReturning = false;

  /** @param maxStatementBytes the server's `max_allowed_packet` (default 16 MiB on MariaDB 10.11). */
  constructor(override readonly maxStatementBytes: number = 16 * 1024 * 1024) {
    super();
  }

  /** mysql2's ResultSetHeader: the AUTO_INCREMENT value of the (first) inserted row. */
  override insertedId(raw: unknown): unknown {
    return (raw as { insertId?: unknown } | null)?.insertId;
  }

  override defaultValuesClause(): string {
    return '() VALUES ()';
  }

  override quoteIdentifier(name: string): string {
    return `\`${name.replaceAll('`', '``')}\``;
  }

  override currentTimestamp(): string {
    return 'CURRENT_TIMESTAMP(6)';
  }

  // The default collations are case-insensitive, so compare bytes.
  override matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    const pattern = bind(likePattern(mode, value));
    return `CAST(${column} AS BINARY) LIKE CAST(${pattern} AS BINARY) ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * `ON DUPLICATE KEY UPDATE`. MySQL has no conflict target: any unique key triggers it.
   * A skip assigns the first conflict column to itself, never `INSERT IGNORE`, which would also
   * swallow NOT NULL, foreign key and truncation errors.
   */
  override upsertClause(spec: UpsertSpec): string {
    const sets =
      spec.updateColumns.length === 0
        ? [`${spec.conflictColumns[0]} = ${spec.conflictColumns[0]}`]
        : [
            ...spec.updateColumns.map((c) => `${c} = VALUES(${c})`),
            ...(spec.extraAssignments ?? []),
          ];
    return `ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
  }

  classifyError(error: unknown): DatabaseErrorKind | undefined {
    const errno = (error as { errno?: unknown } | null)?.errno;
    if (typeof errno === 'number' && errno in BY_ERRNO) return BY_ERRNO[errno];
    const code = driverCodeOf(error);
    return typeof code === 'string' ? BY_CODE[code] : undefined;
  }
}
