/**
 * The capabilities-and-limits part of a dialect: what the server accepts and how much of it, as
 * plain data. The bulk planner sizes statements by it, the writers ask it whether a statement may
 * return rows, and the raw-query compiler refuses a statement it would not take. A dialect builds
 * its own with {@link dialectCapabilities}; a subclass changes a limit by spreading its parent's:
 * `{ ...POSTGRES_CAPABILITIES, writeConcurrency: 4 }`.
 */
export interface DialectCapabilities {
  /** Most bind parameters one statement may carry. */
  readonly maxBindParameters: number;
  /**
   * Largest statement the server accepts, in bytes (MySQL's `max_allowed_packet`).
   * @default Infinity
   */
  readonly maxStatementBytes: number;
  /** Which statements take a RETURNING clause. */
  readonly returning: ReturningSupport;
  /**
   * Whether an INSERT's RETURNING also returns the existing rows its conflict clause touched
   * without changing (MySQL's `ON DUPLICATE KEY UPDATE pk = pk` does; `DO NOTHING` does not).
   * @default false
   */
  readonly returnsConflictingRows: boolean;
  /**
   * How many statements of one bulk call may run at once, each on its own pooled connection,
   * outside a transaction. Servers work on a statement while the client prepares the next; each
   * one more holds one more pooled connection for the length of the call.
   * @default 2
   */
  readonly writeConcurrency: number;
  /**
   * The isolation levels a transaction may ask for, where TypeORM's driver does not list them
   * itself (TypeORM 0.3; 1.x's drivers have `supportedIsolationLevels`, which wins).
   * @default the standard four: READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, SERIALIZABLE
   */
  readonly isolationLevels: readonly string[];
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

/** The isolation levels of standard SQL, which PostgreSQL and MySQL take. */
export const STANDARD_ISOLATION_LEVELS: readonly string[] = Object.freeze([
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
]);

/**
 * A dialect's capabilities: the two that have no sensible default (the parameter limit, RETURNING),
 * and the others where they differ from the defaults documented on {@link DialectCapabilities}.
 */
export function dialectCapabilities(
  own: Pick<DialectCapabilities, 'maxBindParameters' | 'returning'> & Partial<DialectCapabilities>,
): DialectCapabilities {
  return Object.freeze({
    isolationLevels: STANDARD_ISOLATION_LEVELS,
    maxStatementBytes: Number.POSITIVE_INFINITY,
    returnsConflictingRows: false,
    writeConcurrency: 2,
    ...own,
  });
}
