import type { OptimisticLockError } from '../errors';
import { ConflictHistory, type ConflictRecord } from './conflict-history';
import { checkCount } from './locking-options';

/** What `lockMetrics()` reports: counts since the repository was built, in this process. */
export interface LockMetricsSnapshot {
  /** `updateWithVersion` calls that finished, successfully or not. */
  readonly totalOperations: number;
  /** `updateWithVersion` calls that wrote (or, after a merge, found nothing left to write). */
  readonly successfulOperations: number;
  /**
   * Conditional updates that found a newer version: each failed attempt of `updateWithVersion`,
   * and each `update(id, dto, { expectedVersion })` that threw `OptimisticLockError`.
   */
  readonly versionConflicts: number;
  /** Retries per finished `updateWithVersion` call (attempts after the first), 0 when none ran. */
  readonly avgRetryCount: number;
  /** `updateWithVersion` calls that gave up after `maxRetries`. */
  readonly retriesExhausted: number;
  /** `'merge'` calls that ended in `MergeConflictError`. */
  readonly mergeConflicts: number;
}

/** How one `updateWithVersion` call ended. */
export interface OperationOutcome {
  readonly succeeded: boolean;
  readonly retries: number;
  readonly exhausted: boolean;
  readonly mergeConflict: boolean;
}

/**
 * The optimistic-locking counters of one repository and the history of its latest conflicts.
 * Plain in-process counters; a repository and its `withManager` clones share one instance.
 */
export class LockMetrics {
  readonly #history: ConflictHistory;
  #operations = 0;
  #successes = 0;
  #conflicts = 0;
  #retries = 0;
  #exhausted = 0;
  #mergeConflicts = 0;

  constructor(historySize: number) {
    this.#history = new ConflictHistory(historySize);
  }

  recordConflict(conflict: OptimisticLockError): void {
    this.#conflicts++;
    this.#history.push(
      Object.freeze({
        entity: conflict.entity,
        id: conflict.id,
        expected: conflict.expectedVersion,
        actual: conflict.actualVersion,
        timestamp: new Date(),
      }),
    );
  }

  recordOperation(outcome: OperationOutcome): void {
    this.#operations++;
    this.#retries += outcome.retries;
    if (outcome.succeeded) this.#successes++;
    if (outcome.exhausted) this.#exhausted++;
    if (outcome.mergeConflict) this.#mergeConflicts++;
  }

  snapshot(): LockMetricsSnapshot {
    return {
      totalOperations: this.#operations,
      successfulOperations: this.#successes,
      versionConflicts: this.#conflicts,
      avgRetryCount: this.#operations === 0 ? 0 : this.#retries / this.#operations,
      retriesExhausted: this.#exhausted,
      mergeConflicts: this.#mergeConflicts,
    };
  }

  /** Up to `limit` of the latest conflicts, newest first. */
  history(limit?: number): ConflictRecord[] {
    return this.#history.latest(checkCount('limit', limit));
  }
}
