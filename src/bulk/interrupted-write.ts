import { BulkWriteIncompleteError, type BulkWriteProgress } from '../errors';

/**
 * The error a bulk call that stopped part-way throws. Where nothing is stored and nothing is in
 * doubt that is its `cause` as it came (with its own `outcome`, such as `'not-applied'`, which is
 * then true of the whole call); else a {@link BulkWriteIncompleteError} that lists what was stored
 * and what is in doubt, so that a caller who retries does not write a row twice.
 * @param what the call, as a message names it ("Employee: bulk create")
 */
export function interruptedWrite(
  what: string,
  cause: unknown,
  progress: BulkWriteProgress,
): unknown {
  const { successCount, unknownIndices } = progress;
  if (successCount === 0 && unknownIndices.length === 0) return cause;
  const doubt = unknownIndices.length > 0 ? `, ${unknownIndices.length} in doubt` : '';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BulkWriteIncompleteError(
    `${what} stopped with ${successCount} row(s) stored${doubt}: ${reason}`,
    successCount > 0 ? 'partial' : 'unknown',
    progress,
    { cause },
  );
}
