import type { CachedOperation } from '../cache/cache-config';
import { decodeValue } from '../cache/cache-codec';
import type { WarmingCoordination } from '../cache/warming-coordination';

/** A query the warmer can re-run: the spec exactly as the read that was counted made it. */
export interface PopularQuery {
  readonly op: CachedOperation;
  readonly tenant: string | undefined;
  readonly args: unknown;
  /** Uses in the current and the previous window. */
  readonly count: number;
}

export interface QueryUsageTrackerOptions {
  /** The entity's cache namespace. */
  readonly namespace: string;
  /** Where the windows are kept: shared with every instance, or in this process (its scope). */
  readonly coordination: WarmingCoordination;
  /** The length of a counting window. */
  readonly windowSeconds: number;
  /**
   * How often counts go to a fleet-wide coordination (in process they go when read).
   * @default 5000
   */
  readonly flushIntervalMs?: number;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** Most distinct specs counted in process between flushes; more are dropped, not grown. */
const MAX_PENDING_SPECS = 10_000;

/**
 * Counts how often each normalized query spec of an entity is read, per tenant (the tenant is part
 * of the spec). Counting is a Map update; with a fleet-wide coordination the counts reach it every
 * few seconds in one batch (a pipelined round trip to Redis), into a window whose members are the
 * specs themselves, so any instance can re-run them. Popularity is the sum of the current and the
 * previous window: yesterday's hot query fades out within two windows.
 */
export class QueryUsageTracker {
  readonly #options: QueryUsageTrackerOptions;
  readonly #now: () => number;
  readonly #windowMs: number;
  /** Counts not yet flushed, by a cheap key; the spec text is built once per key per flush. */
  #pending = new Map<string, { count: number; spec: string | (() => string) }>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Flushes and reads that failed (the coordination's backend unavailable); flushed counts were dropped. */
  errors = 0;

  constructor(options: QueryUsageTrackerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowSeconds * 1000;
  }

  /**
   * Counts one use. `key` identifies the query cheaply; `spec` is its canonical text, or a function
   * that builds it (called at most once per key between flushes, off the read path).
   */
  record(key: string, spec: string | (() => string) = key): void {
    const entry = this.#pending.get(key);
    if (entry !== undefined) entry.count++;
    else if (this.#pending.size < MAX_PENDING_SPECS) this.#pending.set(key, { count: 1, spec });
    // In process nobody else reads the windows: the counts can wait until they are read.
    if (this.#options.coordination.scope === 'fleet' && !this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushIntervalMs ?? 5000);
      this.#timer.unref();
    }
  }

  /** Moves the counts recorded so far into the current window of the coordination. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushPending());
    return this.#flushing;
  }

  /** The `limit` most used specs with at least `minCount` uses, most used first. */
  async popular(limit: number, minCount: number): Promise<PopularQuery[]> {
    await this.flush();
    const counts = await this.#counts();
    return [...counts]
      .filter(([, count]) => count >= minCount)
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([spec, count]) => {
        const { op, tenant, args } = decodeValue(spec) as {
          op: CachedOperation;
          tenant: string | null;
          args: unknown;
        };
        return { op, tenant: tenant ?? undefined, args, count };
      });
  }

  /** Stops the flush timer; pending counts are flushed. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #flushPending(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const pending = new Map<string, number>();
    for (const { count, spec } of this.#pending.values()) {
      const text = typeof spec === 'string' ? spec : spec();
      pending.set(text, (pending.get(text) ?? 0) + count);
    }
    this.#pending = new Map();
    const { coordination, namespace } = this.#options;
    try {
      // Counts are best effort: an outage drops them.
      await coordination.addUsage(namespace, this.#window(), this.#windowMs, pending);
    } catch {
      this.errors++;
    }
  }

  async #counts(): Promise<Map<string, number>> {
    const { coordination, namespace } = this.#options;
    const window = this.#window();
    try {
      return await coordination.readUsage(namespace, [window - 1, window]);
    } catch {
      this.errors++;
      return new Map();
    }
  }

  #window(): number {
    return Math.floor(this.#now() / this.#windowMs);
  }
}
