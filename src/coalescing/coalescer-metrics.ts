import {
  BATCH_ENTRIES_BOUNDS,
  BATCH_TIME_MS_BOUNDS,
  Histogram,
  type HistogramSnapshot,
} from './histogram';
import { SignatureVariations } from './signature-variations';

/** Why an entry was written by the single-row path rather than in a batch. */
export type IndividualReason =
  /** `createBatched(dto, { forceIndividual: true })`. */
  | 'forced'
  /** The repository is bound to an open transaction. */
  | 'transaction'
  /** The coalescer has `enabled: false`. */
  | 'disabled'
  /** The coalescer was closed. */
  | 'closed'
  /** Its group was flushed with fewer than `minBatchSize` entries. */
  | 'belowMinBatch';

/** What a {@link WriteCoalescer} has done since it was created. */
export interface CoalescerMetrics {
  /** Calls received, batched or not. */
  readonly entries: number;
  /** Bulk INSERT flushes (each one `bulkCreate` call, one statement unless the group was split). */
  readonly batches: number;
  /** Entries written by those flushes. */
  readonly batchedEntries: number;
  /** Entries per flush. */
  readonly entriesPerBatch: HistogramSnapshot;
  /** Milliseconds per flush, from its start to every caller's row being known. */
  readonly batchTimeMs: HistogramSnapshot;
  /** Entries written by the single-row path, by reason. */
  readonly individual: Readonly<Record<IndividualReason, number>>;
  /**
   * Flushes in which some row failed, so the bulk path fell back to isolating rows (halving the
   * batch until the bad rows stood alone); the other rows were still written.
   */
  readonly fallbacks: number;
  /** Flushes that failed as a whole (every caller in them got the error). */
  readonly failedBatches: number;
  /** Callers that got an error, by its `code` (`UNIQUE_VIOLATION`, …; `UNKNOWN` when none). */
  readonly errors: Readonly<Record<string, number>>;
  /**
   * Distinct column signatures seen per entity: above 1, callers of one entity send different
   * sets of fields, so their entries cannot share a statement (the seed's SchemaVariationAlert).
   * At most {@link MAX_TRACKED_SIGNATURES} are counted per entity.
   */
  readonly schemaVariations: Readonly<Record<string, number>>;
  /** Times an entity that already had a signature showed a new one. */
  readonly schemaVariationAlerts: number;
  /** Entries queued or being written now. */
  readonly pending: number;
  /** The most entries ever pending at once; never above `maxPending`. */
  readonly peakPending: number;
  /** Calls waiting now for a pending slot (backpressure). */
  readonly waiting: number;
  /** Calls that had to wait for a pending slot, in total. */
  readonly backpressureWaits: number;
}

export { MAX_TRACKED_SIGNATURES } from './signature-variations';

/** The mutable counters behind {@link CoalescerMetrics}. */
export class CoalescerStats {
  entries = 0;
  batches = 0;
  batchedEntries = 0;
  fallbacks = 0;
  failedBatches = 0;
  peakPending = 0;
  backpressureWaits = 0;
  readonly #entriesPerBatch = new Histogram(BATCH_ENTRIES_BOUNDS);
  readonly #batchTime = new Histogram(BATCH_TIME_MS_BOUNDS);
  readonly #individual: Record<IndividualReason, number> = {
    forced: 0,
    transaction: 0,
    disabled: 0,
    closed: 0,
    belowMinBatch: 0,
  };
  readonly #errors = new Map<string, number>();
  readonly #signatures = new SignatureVariations();

  /** Remembers the signature an entry of `entity` had. */
  signature(entity: string, signature: string): void {
    this.#signatures.observe(entity, signature);
  }

  individual(reason: IndividualReason, count = 1): void {
    this.#individual[reason] += count;
  }

  batch(entries: number, ms: number, failedRows: number): void {
    this.batches++;
    this.batchedEntries += entries;
    this.#entriesPerBatch.observe(entries);
    this.#batchTime.observe(ms);
    if (failedRows > 0) this.fallbacks++;
  }

  error(error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const key = typeof code === 'string' ? code : 'UNKNOWN';
    this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1);
  }

  pendingNow(pending: number): void {
    if (pending > this.peakPending) this.peakPending = pending;
  }

  snapshot(pending: number, waiting: number): CoalescerMetrics {
    return {
      entries: this.entries,
      batches: this.batches,
      batchedEntries: this.batchedEntries,
      entriesPerBatch: this.#entriesPerBatch.snapshot(),
      batchTimeMs: this.#batchTime.snapshot(),
      individual: { ...this.#individual },
      fallbacks: this.fallbacks,
      failedBatches: this.failedBatches,
      errors: Object.fromEntries(this.#errors),
      schemaVariations: this.#signatures.perEntity(),
      schemaVariationAlerts: this.#signatures.alerts,
      pending,
      peakPending: this.peakPending,
      waiting,
      backpressureWaits: this.backpressureWaits,
    };
  }
}
