import type { WriteBehindErrorCode } from './error-codes';
import { RepositoryError } from './repository-error';

/**
 * A write-behind call failed on the Redis side (see docs/write-behind.md). `outcome` says whether
 * the entry may be in the stream: `'not-applied'` it certainly is not, `'unknown'` it may be, so
 * send it again with the same `idempotencyKey` (the drainer writes a key once).
 */
export class WriteBehindError extends RepositoryError {
  constructor(
    readonly code: WriteBehindErrorCode,
    readonly outcome: 'not-applied' | 'unknown',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The entity's stream holds `maxPending` entries not yet acknowledged; nothing was added. */
  static full(stream: string, maxPending: number, waitedMs: number): WriteBehindError {
    const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs)} ms` : '';
    return new WriteBehindError(
      'WRITE_BEHIND_FULL',
      'not-applied',
      `${stream}: ${maxPending} entries pending${waited}; nothing was enqueued`,
    );
  }

  /** Redis did not acknowledge the XADD: the entry may or may not be in the stream. */
  static enqueueUnknown(stream: string, cause: unknown): WriteBehindError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new WriteBehindError(
      'WRITE_BEHIND_ENQUEUE_FAILED',
      'unknown',
      `${stream}: Redis did not acknowledge the entry (${reason}); it may be queued, so send it again with the same idempotencyKey`,
      { cause },
    );
  }

  /** No drainer answered an `awaitStored` call in time: the entry may be stored, or may be later. */
  static outcomeUnknown(
    stream: string,
    entryId: string,
    idempotencyKey: string,
    timeoutMs: number,
  ): WriteBehindError {
    return new WriteBehindError(
      'WRITE_BEHIND_OUTCOME_UNKNOWN',
      'unknown',
      `${stream}: entry ${entryId} (idempotencyKey ${idempotencyKey}) is queued, but no drainer said within ${timeoutMs} ms whether it is stored; it may be stored now or later`,
    );
  }

  /** The reply channel of `awaitStored` could not be subscribed to; nothing was enqueued. */
  static notSubscribed(stream: string, timeoutMs: number): WriteBehindError {
    return new WriteBehindError(
      'WRITE_BEHIND_ENQUEUE_FAILED',
      'not-applied',
      `${stream}: could not subscribe to the reply channel within ${timeoutMs} ms; nothing was enqueued`,
    );
  }
}
