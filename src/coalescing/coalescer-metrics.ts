import { SignatureVariations } from './signature-variations';

/** A histogram's state: fixed buckets, so recording allocates nothing. */
export interface HistogramSnapshot {
  /** Upper bounds of the buckets, ascending. */
  readonly bounds: readonly number[];
  /**
   * `counts[i]` observations fell in `(bounds[i - 1], bounds[i]]`; the last count,
   * `counts[bounds.length]`, is everything above the last bound.
   */
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
  /** Largest observation; 0 when there is none. */
  readonly max: number;
}

/** Counts observations into fixed buckets. */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = Object.freeze([...bounds]);
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]!) i++;
    this.#counts[i]!++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  snapshot(): HistogramSnapshot {
    return {
      bounds: this.#bounds,
      counts: [...this.#counts],
      count: this.#count,
      sum: this.#sum,
      max: this.#max,
    };
  }
}

/**
 * An upper estimate of the `q`-quantile (0 < q ≤ 1): the bound of the bucket holding that
 * observation, or the maximum when it lies above the last bound. 0 when there is none.
 */
export function histogramQuantile(histogram: HistogramSnapshot, q: number): number {
  if (histogram.count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * histogram.count));
  let seen = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    seen += histogram.counts[i]!;
    if (seen >= rank) return Math.min(histogram.bounds[i] ?? histogram.max, histogram.max);
  }
  return histogram.max;
}

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

const ENTRIES_BOUNDS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const TIME_BOUNDS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

/** The mutable counters behind {@link CoalescerMetrics}. */
export class CoalescerStats {
  entries = 0;
  batches = 0;
  batchedEntries = 0;
  fallbacks = 0;
  failedBatches = 0;
  peakPending = 0;
  backpressureWaits = 0;
  readonly #entriesPerBatch = new Histogram(ENTRIES_BOUNDS);
  readonly #batchTime = new Histogram(TIME_BOUNDS);
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
