import { BulkWriteIncompleteError } from './bulk-errors';
import { TransientDatabaseError } from './database-errors';

/**
 * Whether a failed call may have changed rows: an interrupted bulk call, or a statement or COMMIT
 * whose answer was lost. Such a failure still invalidates the cache.
 */
export function mayHaveWritten(error: unknown): boolean {
  return (
    error instanceof BulkWriteIncompleteError ||
    (error instanceof TransientDatabaseError && error.outcome === 'unknown')
  );
}
