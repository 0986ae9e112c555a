import type { RetryConfig } from './retry-policy';

/** SQL isolation levels. Which ones a dialect accepts is listed on {@link TransactionOptions}. */
export type IsolationLevel =
  'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** Every {@link IsolationLevel}, for the runtime check of a caller's value. */
export const ISOLATION_LEVELS: Readonly<Record<IsolationLevel, true>> = Object.freeze({
  'READ UNCOMMITTED': true,
  'READ COMMITTED': true,
  'REPEATABLE READ': true,
  SERIALIZABLE: true,
});

/**
 * How a `withTransaction` call relates to a transaction of the same DataSource already open in
 * its call chain (the ambient one):
 * - `'required'`: join it (the work runs in it, and its failure fails the whole unit), or start one;
 * - `'requires-new'`: start a transaction of its own on another connection, the open one untouched;
 * - `'nested'`: a savepoint inside it, which a throw rolls back alone; or start one;
 * - `'mandatory'`: join it; with none open, `TransactionPropagationError`;
 * - `'never'`: run outside any transaction; inside one, `TransactionPropagationError`.
 */
export type Propagation = 'required' | 'requires-new' | 'nested' | 'mandatory' | 'never';

/** Every {@link Propagation}, for the runtime check of a caller's value. */
export const PROPAGATIONS: Readonly<Record<Propagation, true>> = Object.freeze({
  required: true,
  'requires-new': true,
  nested: true,
  mandatory: true,
  never: true,
});

/** Options of `withTransaction` and `repo.transaction`. Checked before any SQL runs. */
export interface TransactionOptions {
  /**
   * What to do when the call chain already has a transaction of the DataSource open (see
   * {@link Propagation}). Only for a DataSource target: a call given an `EntityManager` runs in
   * that manager's transaction, nested under a savepoint when one is open on it (as before).
   * Joining adds no statement; `'nested'` adds SAVEPOINT and RELEASE; `'requires-new'` holds a
   * second pooled connection for its length.
   * @default 'required'
   */
  readonly propagation?: Propagation;
  /**
   * The transaction's isolation level. PostgreSQL and MySQL/MariaDB accept all four (PostgreSQL
   * runs READ UNCOMMITTED as READ COMMITTED); SQLite accepts `'SERIALIZABLE'` (what it always
   * does) and `'READ UNCOMMITTED'` (only meaningful with a shared cache). Another level is a
   * `TransactionOptionError`. Only the outermost transaction sets it: a nested call may name the
   * outer transaction's level, any other is refused.
   * @default undefined (the server's: READ COMMITTED on PostgreSQL, REPEATABLE READ on
   *   MySQL/MariaDB, SERIALIZABLE on SQLite)
   * Cost: stricter levels make the server fail more transactions with serialization failures or
   *   deadlocks, which `retry` absorbs by running the callback again.
   */
  readonly isolationLevel?: IsolationLevel;
  /**
   * Retry of the whole transaction on transient errors; see {@link RetryConfig}. Only the
   * outermost transaction retries: a nested call ignores it and lets the error reach the
   * outermost one, since a deadlock has already rolled back the whole transaction on MySQL.
   * @default `DEFAULT_RETRY_CONFIG` (3 retries, backoff 20 ms ×2 up to 1 s, full jitter),
   *   under `RepositoryOptions.retry` for `repo.transaction`
   * Cost: nothing unless a transient error happens; then each retry re-runs the callback.
   */
  readonly retry?: RetryConfig;
}
