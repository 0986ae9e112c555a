import { TypeORMError, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { managerDataSource, supportedIsolationLevels } from '../compat/typeorm-versions';
import { adapterFor } from '../dialects/adapter-for';
import type { DialectAdapter } from '../dialects/dialect-adapter';
import {
  mayHaveWritten,
  RepositoryError,
  TransactionOptionError,
  TransactionPropagationError,
  TransientDatabaseError,
} from '../errors';
import { AfterCommit } from './after-commit';
import { ambientManager, joinedCallFailed, runAmbient } from './ambient-transaction';
import { isRetryable, pause, retryDelay, retrySettings } from './retry-policy';
import { RunnerClaim } from './runner-claim';
import {
  ISOLATION_LEVELS,
  PROPAGATIONS,
  type IsolationLevel,
  type Propagation,
  type TransactionOptions,
} from './transaction-options';

/**
 * The body of a transaction. Every statement made through `manager`, through a repository bound
 * to it with `repo.withManager(manager)`, or through any repository of the same DataSource
 * called in the body's async call chain, runs in the transaction. It may run more than once (see
 * `retry`), so work outside the database belongs after the transaction, or must be idempotent.
 */
export type TransactionWork<R> = (manager: EntityManager) => Promise<R>;

/**
 * Runs `work` in a transaction: commits when it resolves, rolls back when it throws. Write
 * effects of repositories bound to `manager` (events, cache invalidation) happen after the commit
 * and are dropped on rollback.
 *
 The transaction is ambient: in `work`'s async call chain every repository of the DataSource
 * runs its statements in it by itself, and concurrent calls never see each other's.
 *
 * `target` is a DataSource, or an EntityManager:
 * - a DataSource: `propagation` (default `'required'`) says what happens when the call chain
 *   already has a transaction of it open: join it, start one of its own (`'requires-new'`), nest
 *   under a savepoint (`'nested'`), insist on one (`'mandatory'`) or on none (`'never'`). A joined
 *   or nested call never retries: its error reaches the outermost transaction, which retries as
 *   a whole unit;
 * - a manager inside an open transaction (a callback's own `manager`) nests: the work runs under a
 *   savepoint, which a throw rolls back without ending the outer transaction, and there is no
 *   retry at this level;
 * - any other manager (the DataSource's, or one made for a QueryRunner of your own) starts a
 *   transaction on its connection.
 *
 * On a transient error that left nothing applied (deadlock, serialization failure, lock wait
 * timeout, `SQLITE_BUSY`, connection refused; raised by a statement of `work` or by COMMIT) the
 * whole transaction runs again on a fresh one, `retry.maxRetries` times at most, with backoff.
 * A connection lost during COMMIT leaves the outcome unknown: that is never retried and surfaces
 * as `TransientDatabaseError` with `outcome: 'unknown'`.
 *
 * Errors: what `work` throws passes through unchanged, except a database error the dialect
 * classifies as transient, which surfaces as `TransientDatabaseError`. Failures of the statements
 * this function runs itself (connect, BEGIN, COMMIT) are translated into typed errors.
 *
 * @throws TransactionOptionError for a bad `isolationLevel`, `retry` or `propagation`, before any SQL
 * @throws TransactionPropagationError when `propagation` does not allow the call chain's state
 * @throws TransientDatabaseError when retries ran out, or the outcome is unknown
 */
export async function withTransaction<R>(
  target: DataSource | EntityManager,
  work: TransactionWork<R>,
  options: TransactionOptions = {},
): Promise<R> {
  const fromDataSource = 'createQueryRunner' in target;
  const manager = fromDataSource ? target.manager : target;
  const dataSource = managerDataSource(manager);
  const { isolationLevel } = options;
  const settings = retrySettings(options.retry);
  const propagation = checkPropagation(options.propagation);
  checkIsolationLevel(dataSource, isolationLevel);
  // In the work's call chain, its transaction is the DataSource's ambient one.
  const scoped: TransactionWork<R> = (m) =>
    runAmbient(dataSource, m, () => work(m), {
      isRetryable,
      rollbackError: (error) => TransactionPropagationError.joinedCallFailed(error),
    });
  let first: QueryRunner | undefined;
  if (fromDataSource) {
    const open = ambientManager(dataSource);
    const name = `the DataSource (${String(dataSource.options.type)})`;
    switch (propagation) {
      case 'mandatory':
        if (!open) throw TransactionPropagationError.noneOpen(name);
        return joined(dataSource, open, work, isolationLevel);
      case 'required':
        if (open) return joined(dataSource, open, work, isolationLevel);
        break;
      case 'nested':
        if (open) return nested(open, scoped, isolationLevel);
        break;
      case 'never':
        if (open) throw TransactionPropagationError.alreadyOpen(name);
        return runAmbient(dataSource, undefined, () => work(dataSource.manager));
      case 'requires-new':
        first = dataSource.createQueryRunner();
        // A driver with one connection (SQLite) hands out the open transaction's own runner.
        if (open && first === open.queryRunner)
          throw TransactionPropagationError.oneConnection(name);
        break;
    }
  }
  return started(manager, dataSource, scoped, { isolationLevel, settings, first });
}

/**
 * A call that joins the open transaction: the work runs in it, with no statement of its own.
 * Its failure dooms the transaction, even when the caller catches it.
 */
async function joined<R>(
  dataSource: DataSource,
  open: EntityManager,
  work: TransactionWork<R>,
  isolationLevel: IsolationLevel | undefined,
): Promise<R> {
  checkNestedLevel(open, isolationLevel);
  try {
    return await work(open);
  } catch (error) {
    // Typed as the outermost call types them, so that a deadlock here retries the whole unit.
    const failure = failedInJoined(adapterFor(dataSource), error);
    joinedCallFailed(dataSource, failure);
    throw failure;
  }
}

/** A joined call's own errors pass unchanged; transient database errors become typed. */
function failedInJoined(adapter: DialectAdapter, error: unknown): unknown {
  if (error instanceof RepositoryError || !(error instanceof TypeORMError)) return error;
  const translated = adapter.errors.translate(error);
  return translated instanceof TransientDatabaseError ? translated : error;
}

/** A transaction on `manager`'s connection (nested where one is open there), or a new one. */
async function started<R>(
  manager: EntityManager,
  dataSource: DataSource,
  work: TransactionWork<R>,
  {
    isolationLevel,
    settings,
    first,
  }: {
    readonly isolationLevel: IsolationLevel | undefined;
    readonly settings: ReturnType<typeof retrySettings>;
    readonly first: QueryRunner | undefined;
  },
): Promise<R> {
  const bound = manager.queryRunner;
  if (bound?.isReleased) {
    throw TransactionOptionError.invalid(
      'manager',
      'a manager whose QueryRunner is open',
      'released',
    );
  }
  if (bound?.isTransactionActive) return nested(manager, work, isolationLevel);
  let runner = bound ?? first ?? dataSource.createQueryRunner();
  if (runner.isTransactionActive) {
    // A driver that shares one runner (SQLite) and a transaction open on it: nest inside the
    // caller's own transaction (or one not opened here, as TypeORM would); else wait our turn.
    const holder = RunnerClaim.of(runner);
    if (!holder || holder.coversCaller()) return nested(runner.manager, work, isolationLevel);
  }
  const adapter = adapterFor(dataSource);
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(runner, bound === undefined, work, isolationLevel, adapter);
    } catch (error) {
      if (!isRetryable(error) || attempt > settings.maxRetries) throw error;
    }
    await pause(retryDelay(attempt, settings));
    runner = bound ?? dataSource.createQueryRunner();
  }
}

/** A transaction inside the open one of `manager`: a savepoint, no retry. */
function nested<R>(
  manager: EntityManager,
  work: TransactionWork<R>,
  isolationLevel: IsolationLevel | undefined,
): Promise<R> {
  checkNestedLevel(manager, isolationLevel);
  return manager.transaction((inner) => work(inner));
}

/** A call inside an open transaction may name the outer transaction's level, no other. */
function checkNestedLevel(manager: EntityManager, isolationLevel: IsolationLevel | undefined) {
  const outer = RunnerClaim.of(manager.queryRunner!)?.isolationLevel;
  if (isolationLevel !== undefined && isolationLevel !== outer) {
    throw TransactionOptionError.invalid(
      'isolationLevel',
      `the outer transaction's level (${outer ?? 'not set'}) in a nested transaction`,
      isolationLevel,
    );
  }
}

function checkPropagation(propagation: unknown): Propagation {
  if (propagation === undefined) return 'required';
  if (typeof propagation === 'string' && Object.hasOwn(PROPAGATIONS, propagation)) {
    return propagation as Propagation;
  }
  const expected = `one of ${Object.keys(PROPAGATIONS).join(', ')}`;
  throw TransactionOptionError.invalid('propagation', expected, propagation);
}

/** One transaction on `runner`, holding it for its whole length; `release`s it afterwards. */
async function attemptOnce<R>(
  runner: QueryRunner,
  release: boolean,
  work: TransactionWork<R>,
  isolationLevel: IsolationLevel | undefined,
  adapter: DialectAdapter,
): Promise<R> {
  const claim = await RunnerClaim.acquire(runner, isolationLevel);
  try {
    return await claim.run(() => transact(runner, work, isolationLevel, adapter));
  } finally {
    try {
      if (release) await runner.release();
    } finally {
      claim.release();
    }
  }
}

async function transact<R>(
  runner: QueryRunner,
  work: TransactionWork<R>,
  isolationLevel: IsolationLevel | undefined,
  adapter: DialectAdapter,
): Promise<R> {
  try {
    await runner.connect();
    await runner.startTransaction(isolationLevel);
  } catch (error) {
    await rollbackQuietly(runner);
    throw failedToBegin(adapter, runner, error);
  }
  let result: R;
  try {
    result = await work(runner.manager);
  } catch (error) {
    const failure = failedInWork(adapter, runner, error);
    await rollbackQuietly(runner);
    throw failure;
  }
  try {
    await runner.commitTransaction();
  } catch (error) {
    // COMMIT went through and an after-commit subscriber threw: the data is durable.
    if (!runner.isTransactionActive) throw error;
    const failure = failedToCommit(adapter, runner, error);
    if (mayHaveWritten(failure)) await AfterCommit.for(runner.connection).commitInDoubt(runner);
    await rollbackQuietly(runner);
    throw failure;
  }
  return result;
}

/** Nothing of the work ran, so even a lost connection left nothing applied. */
function failedToBegin(adapter: DialectAdapter, runner: QueryRunner, error: unknown): unknown {
  const translated = translate(adapter, error);
  if (translated instanceof TransientDatabaseError) {
    if (translated.outcome === 'not-applied') return translated;
    return new TransientDatabaseError(translated.code, 'not-applied', translated.message, {
      cause: error,
    });
  }
  return runner.isReleased ? lostConnection(error, 'begin') : translated;
}

/**
 * The work's own errors pass unchanged; transient database errors become typed, so that the retry
 * can tell them. Their outcome stays the adapter's: a connection lost here is `'unknown'`, since
 * the error may come from any connection the work used, not necessarily the transaction's.
 */
function failedInWork(adapter: DialectAdapter, runner: QueryRunner, error: unknown): unknown {
  if (error instanceof RepositoryError || !(error instanceof TypeORMError)) return error;
  const translated = adapter.errors.translate(error);
  if (translated instanceof TransientDatabaseError) return translated;
  // TypeORM's PostgreSQL runner releases itself when its connection breaks.
  return runner.isReleased ? lostConnection(error, 'work') : error;
}

/**
 * The server refused the COMMIT (deadlock, serialization failure: rolled back, retryable), or the
 * connection broke before its answer arrived (outcome unknown, never retried).
 */
function failedToCommit(adapter: DialectAdapter, runner: QueryRunner, error: unknown): unknown {
  const translated = translate(adapter, error);
  if (translated instanceof TransientDatabaseError) {
    const { code, outcome, message } = translated;
    const doubt = outcome === 'unknown' ? ' (the transaction may have been applied)' : '';
    return new TransientDatabaseError(code, outcome, `COMMIT failed${doubt}: ${message}`, {
      cause: error,
    });
  }
  return runner.isReleased ? lostConnection(error, 'commit') : translated;
}

function translate(adapter: DialectAdapter, error: unknown): unknown {
  return error instanceof RepositoryError ? error : adapter.errors.translate(error);
}

/** What a broken connection means at each step: only before BEGIN is nothing in doubt. */
const LOST = Object.freeze({
  begin: ['not-applied', 'the connection was lost before the transaction began'],
  work: ['unknown', "the transaction's connection was lost before COMMIT"],
  commit: [
    'unknown',
    'COMMIT failed: the connection was lost; the transaction may have been applied',
  ],
} as const);

function lostConnection(error: unknown, step: keyof typeof LOST): TransientDatabaseError {
  const [outcome, what] = LOST[step];
  return new TransientDatabaseError('CONNECTION_LOST', outcome, `${what}: ${String(error)}`, {
    cause: error,
  });
}

/**
 * Ends the transaction after a failure; errors are swallowed so that the original one surfaces.
 * When ROLLBACK TO SAVEPOINT failed in a nested call (MySQL rolls the whole transaction back on a
 * deadlock, savepoints included), TypeORM still counts a savepoint and would only roll back to it;
 * a plain ROLLBACK makes sure the connection goes back to the pool outside any transaction.
 */
async function rollbackQuietly(runner: QueryRunner): Promise<void> {
  if (!runner.isTransactionActive || runner.isReleased) return;
  try {
    await runner.rollbackTransaction();
  } catch {
    try {
      await runner.query('ROLLBACK');
    } catch {
      // The connection is gone; the pool discards it.
    }
  }
}

function checkIsolationLevel(dataSource: DataSource, level: IsolationLevel | undefined): void {
  if (level === undefined) return;
  const levels =
    supportedIsolationLevels(dataSource.driver) ??
    adapterFor(dataSource).capabilities.isolationLevels;
  const supported = levels.filter((l) => Object.hasOwn(ISOLATION_LEVELS, l));
  if (!(supported as readonly unknown[]).includes(level)) {
    const expected = `one of ${supported.join(', ')} on ${dataSource.options.type}`;
    throw TransactionOptionError.invalid('isolationLevel', expected, level);
  }
}
