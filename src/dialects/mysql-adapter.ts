import {
  DialectAdapter,
  driverCodeOf,
  type Bind,
  type DatabaseErrorKind,
  type ReturningSupport,
  type UpsertSpec,
} from './dialect-adapter';
import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { simpleLowercase } from './simple-lowercase';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';

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

/** MySQL 5.7+ and MariaDB 10.3+. */
export class MysqlAdapter extends DialectAdapter {
  readonly name = 'mysql';
  /** Prepared statements count placeholders in a uint16. */
  readonly maxBindParameters = 65_535;
  /**
   * MariaDB has INSERT … RETURNING since 10.5 (and DELETE … RETURNING, not used here); MySQL has
   * none. Without it, inserted rows are read back after the INSERT.
   */
  readonly returning: ReturningSupport;
  override readonly returnsConflictingRows = true;

  /**
   * @param maxStatementBytes the server's `max_allowed_packet` (default 16 MiB on MariaDB 10.11)
   * @param insertReturning the server takes INSERT … RETURNING ({@link insertReturningOf})
   */
  constructor(
    override readonly maxStatementBytes: number = 16 * 1024 * 1024,
    insertReturning = false,
  ) {
    super();
    this.returning = Object.freeze({ insert: insertReturning, update: false, delete: false });
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

  /**
   * As the default sql_mode reads SQL: `"…"` is a string (no ANSI_QUOTES) and `\` escapes inside
   * strings (no NO_BACKSLASH_ESCAPES).
   */
  override readonly sqlLexicon: SqlLexicon = Object.freeze({
    ...STANDARD_LEXICON,
    stringQuotes: '"',
    backslashEscapes: true,
    identifierQuotes: Object.freeze({ '`': '`' }),
    hashComments: true,
    dashCommentNeedsSpace: true,
    executableComments: true,
    // my_isspace for utf8mb4: ASCII whitespace only, \v included.
    spaces: ' \t\n\v\f\r',
    identifiersMayStartWithDigit: true,
    backslashDependsOnSettings: true,
  });

  /**
   * None counted: mysql2's `query`, which TypeORM uses, writes the values into the SQL text on the
   * client, so a list is bounded by `max_allowed_packet`, not by bind parameters.
   */
  override listParameters(): number {
    return 0;
  }

  /** MySQL's manual's "all rows" is 2^64 − 1; the largest safe integer is as good and exact. */
  override readonly limitForBareOffset = Number.MAX_SAFE_INTEGER;

  /** MySQL 5.7 wants a FROM with a WHERE. */
  protected override emptyRowSet(): string {
    return 'SELECT NULL FROM DUAL WHERE 1 = 0';
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
   * The column's collation would also fold accents (`ö` matching `o`) and Turkish `ı`: LOWER
   * (by the column's collation's case table) on the column, the pattern lower-cased here, and
   * the comparison under `utf8mb4_bin`, code point by code point (LIKE does not pad spaces).
   */
  override matchCaseInsensitive(
    column: string,
    mode: MatchMode,
    value: string,
    bind: Bind,
  ): string {
    const pattern = bind(simpleLowercase(likePattern(mode, value)));
    return `LOWER(${column}) LIKE CONVERT(${pattern} USING utf8mb4) COLLATE utf8mb4_bin ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * `=` follows the column's collation: case-insensitive and PAD SPACE by default, so `'ACME'`
   * and `'acme '` would equal `'acme'`. The collation's `=` comes first so the column's index
   * still finds the candidates; the byte comparison then keeps the exact ones. Both sides are
   * converted to utf8mb4 first, so that a column of another character set compares by the same
   * characters and not by differently encoded bytes.
   */
  override exactEquals(column: string, value: () => string): string {
    const bytes = (sql: string) => `CAST(CONVERT(${sql} USING utf8mb4) AS BINARY)`;
    return `${column} = ${value()} AND ${bytes(column)} = ${bytes(value())}`;
  }

  #insertIdStep?: Promise<number | undefined>;

  /**
   * InnoDB hands one multi-row INSERT consecutive ids in lock modes 0 and 1 ("traditional" and
   * "consecutive", MariaDB's default), not in mode 2 ("interleaved", MySQL 8's default).
   */
  override insertIdStep(
    query: (sql: string) => Promise<Record<string, unknown>[]>,
  ): Promise<number | undefined> {
    this.#insertIdStep ??= query(
      'SELECT @@innodb_autoinc_lock_mode AS lockMode, @@auto_increment_increment AS step',
    ).then(
      ([row]) => (Number(row?.lockMode) <= 1 ? Number(row?.step ?? 1) : undefined),
      (error: unknown) => {
        this.#insertIdStep = undefined; // ask again next time rather than remember a failure
        throw error;
      },
    );
    return this.#insertIdStep;
  }

  /** MySQL has no alias for an INSERT's target; the existing row's columns are unqualified. */
  override insertInto(table: string, columns: readonly string[]): string {
    return `INSERT INTO ${table} (${columns.join(', ')})`;
  }

  protected override existing(column: string): string {
    return column;
  }

  protected override incoming(column: string): string {
    return `VALUES(${column})`;
  }

  /**
   * `ON DUPLICATE KEY UPDATE`. MySQL has no conflict target (any unique key triggers it) and no
   * WHERE on the update, so a guard wraps each assignment in `IF(guard, new, old)`. A skip assigns
   * a key column to itself, never `INSERT IGNORE`, which would also swallow NOT NULL, foreign key
   * and truncation errors.
   */
  override upsertClause(spec: UpsertSpec): string {
    const assignments = this.upsertAssignments(spec);
    if (assignments.length === 0) {
      const key = spec.conflictColumns[0];
      return `ON DUPLICATE KEY UPDATE ${key} = ${key}`;
    }
    const guard = this.upsertGuard(spec);
    const sets = assignments.map(({ column, value }) =>
      guard ? `${column} = IF(${guard}, ${value}, ${column})` : `${column} = ${value}`,
    );
    return `ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
  }

  classifyError(error: unknown): DatabaseErrorKind | undefined {
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
