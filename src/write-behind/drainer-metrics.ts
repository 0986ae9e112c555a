import {
  BATCH_ENTRIES_BOUNDS,
  BATCH_TIME_MS_BOUNDS,
  Histogram,
  type HistogramSnapshot,
} from '../coalescing/histogram';
import { SignatureVariations } from '../coalescing/signature-variations';
import type { StreamState } from './group-stream';

/** What a {@link WriteBehindDrainer} has done, and each entity's backlog in Redis. */
export interface WriteBehindMetrics {
  /** Entries stored by this drainer. */
  readonly drained: number;
  /** Entries acknowledged without a write: their idempotency key was applied before. */
  readonly duplicates: number;
  /** Entries this drainer moved to a dead-letter stream. */
  readonly deadLettered: number;
  /** Entries read again: its own after a failure or restart, or taken over from another. */
  readonly redeliveries: number;
  /** Group transactions committed (one bulk INSERT each, or one forced entry). */
  readonly batches: number;
  /** Group transactions that failed as a whole; their entries stayed pending. */
  readonly failedBatches: number;
  readonly entriesPerBatch: HistogramSnapshot;
  readonly batchTimeMs: HistogramSnapshot;
  /** Entries stored per second over the last ten seconds. */
  readonly drainedPerSecond: number;
  /** Distinct column signatures per entity (the seed's SchemaVariationAlert above 1). */
  readonly schemaVariations: Readonly<Record<string, number>>;
  readonly schemaVariationAlerts: number;
  /** Dead-lettered entries by error code. */
  readonly errors: Readonly<Record<string, number>>;
  /** Per entity, over its shards: pending entries, lag (oldest pending's age), dead letters. */
  readonly entities: Readonly<Record<string, StreamState>>;
}

const RATE_WINDOW_S = 10;

/** The drainer's counters, kept in process. */
export class DrainerStats {
  drained = 0;
  duplicates = 0;
  deadLettered = 0;
  redeliveries = 0;
  batches = 0;
  failedBatches = 0;
  readonly signatures = new SignatureVariations();
  readonly #entriesPerBatch = new Histogram(BATCH_ENTRIES_BOUNDS);
  readonly #batchTime = new Histogram(BATCH_TIME_MS_BOUNDS);
  readonly #errors = new Map<string, number>();
  /** Entries stored per whole second, for the last {@link RATE_WINDOW_S} seconds. */
  readonly #perSecond = new Map<number, number>();

  batch(entries: number, ms: number, stored: number): void {
    this.batches++;
    this.#entriesPerBatch.observe(entries);
    this.#batchTime.observe(ms);
    this.drained += stored;
    const second = Math.floor(Date.now() / 1000);
    this.#perSecond.set(second, (this.#perSecond.get(second) ?? 0) + stored);
    for (const s of this.#perSecond.keys())
      if (s <= second - RATE_WINDOW_S) this.#perSecond.delete(s);
  }

  deadLetter(code: string): void {
    this.deadLettered++;
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  snapshot(entities: Record<string, StreamState>): WriteBehindMetrics {
    const since = Math.floor(Date.now() / 1000) - RATE_WINDOW_S;
    let recent = 0;
    for (const [s, n] of this.#perSecond) if (s > since) recent += n;
    return {
      drained: this.drained,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      redeliveries: this.redeliveries,
      batches: this.batches,
      failedBatches: this.failedBatches,
      entriesPerBatch: this.#entriesPerBatch.snapshot(),
      batchTimeMs: this.#batchTime.snapshot(),
      drainedPerSecond: recent / RATE_WINDOW_S,
      schemaVariations: this.signatures.perEntity(),
      schemaVariationAlerts: this.signatures.alerts,
      errors: Object.fromEntries(this.#errors),
      entities,
    };
  }
}
