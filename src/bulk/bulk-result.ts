import type { ErrorCode } from '../errors';
import type { EntityId } from '../repository/repository-events';

/** A row (or, without `index`, a whole call) that failed. */
export interface BulkRowError {
  /** Index into the caller's input; absent for failures of the call as a whole. */
  readonly index?: number;
  /** Stable: `VALIDATION_FAILED`, `UNIQUE_VIOLATION`, `NOT_NULL_VIOLATION`, … (docs/errors.md) */
  readonly code: ErrorCode;
  /** The validator's or the driver's message. */
  readonly message: string;
}

/** What every bulk call returns. */
export interface BulkOperationResult<Id = EntityId> {
  /** True when no row failed. */
  readonly success: boolean;
  /** Rows in the input (bulkCreate) or rows matched (bulkUpdate, bulkDelete). */
  readonly totalRecords: number;
  readonly successCount: number;
  readonly errorCount: number;
  readonly errors: readonly BulkRowError[];
  /** Real database ids of the rows created, in input order. */
  readonly createdIds: readonly Id[];
  /** Statements (batches) that ran, not counting error isolation retries. */
  readonly batches: number;
  readonly durationMs: number;
  /** Upserts: rows inserted, rows updated, rows skipped on conflict. */
  readonly insertedCount?: number;
  readonly updatedCount?: number;
  readonly skippedCount?: number;
  /** With `dryRun: true`: the statements that would run, with placeholders. */
  readonly dryRun?: { readonly statements: readonly string[] };
}

/** Accumulates a {@link BulkOperationResult} as batches complete. */
export class BulkResultBuilder<Id = EntityId> {
  readonly errors: BulkRowError[] = [];
  createdIds: Id[] = [];
  readonly statements: string[] = [];
  totalRecords = 0;
  successCount = 0;
  batches = 0;
  insertedCount?: number;
  updatedCount?: number;
  skippedCount?: number;
  readonly #started = performance.now();

  constructor(readonly dryRun = false) {}

  fail(index: number | undefined, code: ErrorCode, message: string): void {
    this.errors.push(index === undefined ? { code, message } : { index, code, message });
  }

  build(): BulkOperationResult<Id> {
    const errors = [...this.errors].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
    return {
      success: errors.length === 0,
      totalRecords: this.totalRecords,
      successCount: this.successCount,
      errorCount: errors.length,
      errors,
      createdIds: this.createdIds,
      batches: this.batches,
      durationMs: performance.now() - this.#started,
      ...(this.insertedCount === undefined ? {} : { insertedCount: this.insertedCount }),
      ...(this.updatedCount === undefined ? {} : { updatedCount: this.updatedCount }),
      ...(this.skippedCount === undefined ? {} : { skippedCount: this.skippedCount }),
      ...(this.dryRun ? { dryRun: { statements: this.statements } } : {}),
    };
  }
}
