import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/** The transaction a DataSource has open in the current async call chain. */
interface Ambient {
  readonly manager: EntityManager;
  /** False once the transaction has ended: a callback it left behind runs outside it. */
  open: boolean;
  /** What a joined call threw, if one did: the transaction must not commit. */
  failure?: { readonly error: unknown };
}

/**
 * The transactions `withTransaction` opened in the current async call chain, one per
 * DataSource. A repository on a DataSource with one runs its statements there by itself, so a
 * unit of work spanning several repositories needs no `withManager` threading. Concurrent calls
 * each have their own chain, so they never see each other's transaction.
 */
const AMBIENT = new AsyncLocalStorage<ReadonlyMap<DataSource, Ambient>>();

/** The manager of the transaction `dataSource` has open in this call chain, if any. */
export function ambientManager(dataSource: DataSource): EntityManager | undefined {
  const ambient = AMBIENT.getStore()?.get(dataSource);
  return ambient?.open ? ambient.manager : undefined;
}

/**
 * Records that a call which joined the open transaction of `dataSource` failed. Its statements
 * ran in that transaction and were not undone (a joined call has no savepoint), so the
 * transaction must roll back even if the caller catches the error: see {@link runAmbient}.
 */
export function joinedCallFailed(dataSource: DataSource, error: unknown): void {
  const ambient = AMBIENT.getStore()?.get(dataSource);
  if (ambient && !ambient.failure) ambient.failure = { error };
}

/**
 * Runs `work` with `manager` as the open transaction of `dataSource` (`undefined`: with none,
 * for `'never'`), and closes that scope when `work` settles: a timer or an unawaited promise the
 * work left behind then runs outside the ended transaction rather than on its released runner.
 * When a joined call failed and `work` went on to resolve, it rejects instead, so that the
 * transaction rolls back: with the joined call's error itself where a retry of the whole unit
 * may succeed (`isRetryable`), else with `rollbackError(error)`.
 */
export async function runAmbient<R>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  work: () => Promise<R>,
  failed: { isRetryable(error: unknown): boolean; rollbackError(error: unknown): Error } = {
    isRetryable: () => false,
    rollbackError: (error) => new Error('a joined call failed', { cause: error }),
  },
): Promise<R> {
  const scopes = new Map(AMBIENT.getStore());
  const ambient: Ambient | undefined = manager ? { manager, open: true } : undefined;
  if (ambient) scopes.set(dataSource, ambient);
  else scopes.delete(dataSource);
  try {
    const result = await AMBIENT.run(scopes, work);
    const failure = ambient?.failure;
    if (failure) {
      throw failed.isRetryable(failure.error) ? failure.error : failed.rollbackError(failure.error);
    }
    return result;
  } finally {
    if (ambient) ambient.open = false;
  }
}
