import { BulkOperationError } from '../errors';
import { CoalescerStats, type CoalescerMetrics, type IndividualReason } from './coalescer-metrics';
import { resolveCoalescerOptions, type CoalescerOptions } from './coalescer-options';

/** One entry's result from a batch: its value, or the error that only its caller gets. */
export type Settled<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Where a group's entries are written: a repository (bound to one manager). The coalescer decides
 * when and with whom; the sink decides how.
 */
export interface BatchSink<P, R> {
  /** Names the sink in metrics: the entity. */
  readonly name: string;
  /**
   * Writes entries as one batch and settles each, in order. Rejects only when nothing can be said
   * about any entry; every caller of the batch then gets that error.
   */
  writeBatch(payloads: readonly P[]): Promise<readonly Settled<R>[]>;
  /** The single-row path, for groups below `minBatchSize` and after `close()`. */
  writeOne(payload: P): Promise<R>;
}

interface Entry<P, R> {
  readonly payload: P;
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Group<P, R> {
  readonly sink: BatchSink<P, R>;
  readonly key: string;
  readonly entries: Entry<P, R>[];
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Turns single-row creates from many concurrent callers into bulk INSERTs. Entries are grouped by
 * sink (repository), partition (tenant: entries of different partitions never share a statement)
 * and column signature; a group is flushed when it holds `maxBatchSize` entries or `maxWaitMs`
 * after its first entry, whichever comes first. One coalescer can serve many repositories; pass it
 * as `RepositoryOptions.coalescer`. See docs/write-coalescing.md.
 *
 * ```ts
 * const coalescer = new WriteCoalescer({ ...coalescerOptionsFromEnv(), maxWaitMs: 2 });
 * const users = new UserRepository(dataSource, { coalescer });
 * const user = await users.createBatched(dto); // that caller's own row, or its own error
 * process.on('SIGTERM', () => coalescer.close());
 * ```
 */
export class WriteCoalescer {
  readonly options: Readonly<CoalescerOptions>;
  readonly #stats = new CoalescerStats();
  readonly #groups = new Map<string, Group<unknown, unknown>>();
  readonly #sinkIds = new WeakMap<object, number>();
  #nextSinkId = 0;
  /** Entries admitted (queued or being written). */
  #pending = 0;
  /** Calls waiting for a pending slot, in arrival order; each admits its entry. */
  readonly #waiting: (() => void)[] = [];
  /** Every call not yet settled, for `flush()`. */
  readonly #unsettled = new Set<Promise<unknown>>();
  #closed = false;

  /** @throws ConfigurationError naming the option, when one is out of range */
  constructor(options: Partial<CoalescerOptions> = {}) {
    this.options = resolveCoalescerOptions(options);
  }

  /** Whether calls are coalesced now: `enabled` and not closed. */
  get accepting(): boolean {
    return this.options.enabled && !this.#closed;
  }

  /** Why a call would take the single-row path at the coalescer's level, if it would. */
  get bypassReason(): IndividualReason | undefined {
    if (!this.options.enabled) return 'disabled';
    return this.#closed ? 'closed' : undefined;
  }

  /**
   * Queues one entry and resolves to its own result once its group is written. Waits first while
   * `maxPending` entries are pending. After `close()` the entry goes straight to `writeOne`.
   *
   * @param partition entries of different partitions never share a batch (the tenant)
   * @param signature entries of one batch share it (the sorted column names)
   */
  submit<P, R>(
    sink: BatchSink<P, R>,
    partition: string,
    signature: string,
    payload: P,
  ): Promise<R> {
    const stats = this.#stats;
    stats.entries++;
    stats.signature(sink.name, signature);
    const reason = this.bypassReason;
    if (reason) return this.#individually(sink, reason, payload);
    const key = `${this.#sinkId(sink)}\u0001${partition}\u0001${signature}`;
    let resolve!: (value: R) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#unsettled.add(done);
    const release = () => {
      this.#unsettled.delete(done);
      this.#pending--;
      this.#admitNext();
    };
    const entry: Entry<P, R> = {
      payload,
      resolve: (value) => {
        release();
        resolve(value);
      },
      reject: (error) => {
        stats.error(error);
        release();
        reject(error);
      },
    };
    if (this.#pending < this.options.maxPending) {
      this.#admit();
      this.#enqueue(sink, key, entry);
    } else {
      stats.backpressureWaits++;
      this.#waiting.push(() => this.#enqueue(sink, key, entry));
    }
    return done;
  }

  /**
   * Runs a call that skips coalescing (forced, or inside a transaction), counting it and its error.
   * `flush()` and `close()` wait for it too.
   */
  passThrough<R>(reason: IndividualReason, write: () => Promise<R>): Promise<R> {
    this.#stats.entries++;
    this.#stats.individual(reason);
    return this.track(
      write().catch((error: unknown) => {
        this.#stats.error(error);
        throw error;
      }),
    );
  }

  /**
   * Makes `flush()` and `close()` wait for `work` as well: a call still preparing its entry
   * (validating it) when they are called.
   */
  track<R>(work: Promise<R>): Promise<R> {
    this.#unsettled.add(work);
    const forget = () => this.#unsettled.delete(work);
    work.then(forget, forget);
    return work;
  }

  /**
   * Writes every queued group now and resolves once every call made before it has settled. Calls
   * waiting on backpressure are admitted as slots free up and flushed by their own timers.
   */
  async flush(): Promise<void> {
    const waitFor = [...this.#unsettled];
    for (const group of [...this.#groups.values()]) this.#flush(group);
    await Promise.allSettled(waitFor);
  }

  /**
   * Flushes as {@link flush} does and stops coalescing: later calls take the single-row path, so a
   * request still running at shutdown is written rather than refused. Call it on shutdown.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  metrics(): CoalescerMetrics {
    return this.#stats.snapshot(this.#pending, this.#waiting.length);
  }

  #sinkId(sink: object): number {
    let id = this.#sinkIds.get(sink);
    if (id === undefined) {
      id = this.#nextSinkId++;
      this.#sinkIds.set(sink, id);
    }
    return id;
  }

  #admit(): void {
    this.#pending++;
    this.#stats.pendingNow(this.#pending);
  }

  /** Hands a freed pending slot to the longest-waiting call. */
  #admitNext(): void {
    const next = this.#waiting.shift();
    if (!next) return;
    this.#admit();
    next();
  }

  #enqueue<P, R>(sink: BatchSink<P, R>, key: string, entry: Entry<P, R>): void {
    let group = this.#groups.get(key) as Group<P, R> | undefined;
    if (!group) {
      const created: Group<P, R> = { sink, key, entries: [] };
      created.timer = setTimeout(() => this.#flush(created), this.options.maxWaitMs);
      this.#groups.set(key, created as Group<unknown, unknown>);
      group = created;
    }
    group.entries.push(entry);
    if (group.entries.length >= this.options.maxBatchSize) this.#flush(group);
  }

  #flush<P, R>(group: Group<P, R>): void {
    if (this.#groups.get(group.key) !== (group as Group<unknown, unknown>)) return;
    this.#groups.delete(group.key);
    clearTimeout(group.timer);
    const { entries, sink } = group;
    if (entries.length < this.options.minBatchSize) {
      this.#stats.individual('belowMinBatch', entries.length);
      for (const entry of entries) void this.#writeOne(sink, entry);
      return;
    }
    void this.#writeBatch(sink, entries);
  }

  async #writeOne<P, R>(sink: BatchSink<P, R>, entry: Entry<P, R>): Promise<void> {
    try {
      entry.resolve(await sink.writeOne(entry.payload));
    } catch (error) {
      entry.reject(error);
    }
  }

  async #writeBatch<P, R>(sink: BatchSink<P, R>, entries: readonly Entry<P, R>[]): Promise<void> {
    const started = performance.now();
    let outcomes: readonly Settled<R>[];
    try {
      outcomes = await sink.writeBatch(entries.map((e) => e.payload));
    } catch (error) {
      this.#stats.batch(entries.length, performance.now() - started, entries.length);
      this.#stats.failedBatches++;
      for (const entry of entries) entry.reject(error);
      return;
    }
    const settled = entries.map(
      (_, i): Settled<R> =>
        outcomes[i] ?? {
          ok: false,
          error: BulkOperationError.noOutcome(sink.name, `gave no outcome for entry ${i}`),
        },
    );
    const failed = settled.reduce((n, o) => (o.ok ? n : n + 1), 0);
    // Recorded before anyone is answered, so a caller that reads metrics sees its own batch.
    this.#stats.batch(entries.length, performance.now() - started, failed);
    settled.forEach((outcome, i) => {
      const entry = entries[i]!;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  }

  /** The single-row path for an entry that arrived after `close()` (or with coalescing off). */
  async #individually<P, R>(
    sink: BatchSink<P, R>,
    reason: IndividualReason,
    payload: P,
  ): Promise<R> {
    this.#stats.individual(reason);
    try {
      return await sink.writeOne(payload);
    } catch (error) {
      this.#stats.error(error);
      throw error;
    }
  }
}
