import { RepositoryError } from './repository-error';

/** A bulk call with `atomic: true` failed; `errors` lists every failing row. */
export class BulkOperationError extends RepositoryError {
  readonly code = 'BULK_OPERATION_FAILED';

  constructor(
    message: string,
    readonly errors: readonly { index?: number; code: string; message: string }[],
  ) {
    super(message);
  }

  /** An `atomic: true` bulk create rolled back because `errors` failed. */
  static atomicFailed(
    entity: string,
    errors: readonly { index?: number; code: string; message: string }[],
  ): BulkOperationError {
    return new BulkOperationError(
      `${entity}: bulk create rolled back, ${errors.length} row(s) failed`,
      errors,
    );
  }

  /** A batch of coalesced creates did not say what became of an entry: `what` the batch did. */
  static noOutcome(entity: string, what: string): BulkOperationError {
    return new BulkOperationError(`${entity}: the batch ${what}`, []);
  }
}

/** What an interrupted bulk call is known to have done, by input index where it had one. */
export interface BulkWriteProgress {
  /** Rows known to be stored (inserted, updated, or skipped as already there). */
  readonly successCount: number;
  /** Input indices of the rows known to be stored, ascending (bulk calls over input rows). */
  readonly storedIndices: readonly number[];
  /**
   * Input indices of rows whose statement was interrupted without an answer (a connection lost
   * mid-statement): each may or may not be stored.
   */
  readonly unknownIndices: readonly number[];
  /** Ids of the rows known to be created (or, for filtered writes, written) where known. */
  readonly ids: readonly (string | number)[];
  /** Rows refused before the interruption, with their input index, as a finished call lists them. */
  readonly errors: readonly { index?: number; code: string; message: string }[];
}

/**
 * A bulk call that wrote in several statements (outside `atomic` and outside a transaction of
 * the caller's, each commits on its own) stopped part-way: `cause` is what stopped it. Rows
 * neither in `progress.storedIndices` nor in `progress.unknownIndices` nor in `progress.errors`
 * are not stored. `outcome` is `'partial'` when some rows are known to be stored, `'unknown'`
 * when none is known to be but some may be. A call that stopped before storing anything throws
 * its cause instead (with its own `outcome`, such as `'not-applied'`).
 */
export class BulkWriteIncompleteError extends RepositoryError {
  readonly code = 'BULK_WRITE_INCOMPLETE';

  constructor(
    message: string,
    readonly outcome: 'partial' | 'unknown',
    readonly progress: BulkWriteProgress,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}
