import { ConflictError, ConstraintViolationError, InvalidDataError } from '../errors';

/** An error caused by one row's data (a unique key, a constraint, invalid data). */
export type RowLevelError = ConflictError | ConstraintViolationError | InvalidDataError;

/** Errors caused by one row's data; a bulk call isolates and reports them instead of failing. */
export function isRowLevelError(error: unknown): error is RowLevelError {
  return (
    error instanceof ConflictError ||
    error instanceof ConstraintViolationError ||
    error instanceof InvalidDataError
  );
}

/**
 * Writes `rows` with `attempt`; when the database refuses them for one row's data, splits them in
 * halves and writes each, so that every other row is written and each bad row goes to `refused`
 * with its error: about bad × 2·log2(rows) attempts, not one per row. Any other error stops it.
 * The first half is written first, so rows keep their input order (a key's first occurrence wins).
 */
export async function bisect<R>(
  rows: readonly R[],
  attempt: (rows: readonly R[]) => Promise<void>,
  refused: (row: R, error: RowLevelError) => void,
): Promise<void> {
  try {
    await attempt(rows);
  } catch (error) {
    if (!isRowLevelError(error)) throw error;
    if (rows.length === 1) {
      refused(rows[0]!, error);
      return;
    }
    const middle = Math.ceil(rows.length / 2);
    await bisect(rows.slice(0, middle), attempt, refused);
    await bisect(rows.slice(middle), attempt, refused);
  }
}
