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
}
