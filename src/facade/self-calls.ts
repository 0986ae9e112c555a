import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { UpdateOptions } from '../repository/call-options';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { LockingState } from '../locking/locking-state';
import type { VersionedTarget } from '../locking/update-with-version';
import { mergeRetryConfig } from '../transactions/retry-policy';
import type { TransactionOptions } from '../transactions/transaction-options';
import { withTransaction } from '../transactions/with-transaction';
import { runBound } from './manager-binding';

// The facade's calls that go through the repository object itself: a subclass's own `update` and
// `findById` (which it may override), and its binding to a transaction.

/** The repository's reads and `update` as `updateWithVersion` uses them. */
export function versionedTarget<T extends ObjectLiteral, U>(
  context: RepositoryContext<T>,
  locking: LockingState,
  repository: {
    findById(id: EntityId): Promise<T | null>;
    update(id: EntityId, changes: U, options?: UpdateOptions): Promise<T>;
  },
): VersionedTarget<T, U> {
  return {
    model: context.model,
    locking,
    // A re-read after a conflict must see the row that beat us, not a cached copy.
    read: (id, { fresh }) => (fresh ? context.loadRow(id) : repository.findById(id)),
    update: (id, changes, options) => repository.update(id, changes, options),
  };
}

/**
 * Runs `work(repository)` in a transaction, `repository` bound to it for the callback's async call
 * chain; retry defaults from the repository's `retry` option, the call's own fields winning.
 */
export function boundTransaction<T extends ObjectLiteral, S extends object, R>(
  repository: S,
  context: RepositoryContext<T>,
  work: (txRepo: S) => Promise<R>,
  options: TransactionOptions,
): Promise<R> {
  const retry = mergeRetryConfig(context.retry, options.retry);
  const bound = (manager: EntityManager) =>
    runBound(repository, context.withManager(manager), () => work(repository));
  return withTransaction(context.manager, bound, { ...options, retry });
}
