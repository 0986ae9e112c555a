import type { Cluster, Redis } from 'ioredis';
import type { CachedOperation } from '../cache/cache-config';
import { decodeValue } from '../cache/cache-codec';

/** A query the warmer can re-run: the spec exactly as the read that was counted made it. */
export interface PopularQuery {
  readonly op: CachedOperation;
  readonly tenant: string | undefined;
  readonly args: unknown;
  /** Uses in the current and the previous window. */
  readonly count: number;
}

export interface QueryUsageTrackerOptions {
  /** The entity's cache namespace (its Redis hash tag). */
  readonly namespace: string;
  /** Shares the counts with every instance; without it they are counted in this process. */
  readonly redis?: Redis | Cluster;
  readonly keyPrefix?: string;
  /** The length of a counting window. */
  readonly windowSeconds: number;
  /**
   * How often counts go to Redis.
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
 * of the spec). Counting is a Map update; counts reach Redis in one pipelined round trip every few
 * seconds, into a sorted set per window whose members are the specs themselves, so any instance
 * can re-run them. Popularity is the sum of the current and the previous window: yesterday's hot
 * query fades out within two windows.
 */
export class QueryUsageTracker {
  readonly #options: QueryUsageTrackerOptions;
  readonly #now: () => number;
  readonly #windowMs: number;
  /** Counts not yet flushed, by a cheap key; the spec text is built once per key per flush. */
  #pending = new Map<string, { count: number; spec: string | (() => string) }>();
  /** In-process windows (no Redis): window number → spec → count. */
  readonly #windows = new Map<number, Map<string, number>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Flushes that failed (Redis unavailable); their counts were dropped. */
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
    if (this.#options.redis && !this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushIntervalMs ?? 5000);
      this.#timer.unref();
    }
  }

  /** Moves the counts recorded so far into the current window (in Redis when there is one). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushPending());
    return this.#flushing;
  }

  /** The `limit` most used specs with at least `minCount` uses, most used first. */
  async popular(limit: number, minCount: number): Promise<PopularQuery[]> {
    await this.flush();
    const counts = this.#options.redis ? await this.#redisCounts() : this.#localCounts();
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
    const window = this.#window();
    const { redis } = this.#options;
    if (!redis) {
      let counts = this.#windows.get(window);
      if (!counts) this.#windows.set(window, (counts = new Map()));
      for (const [spec, n] of pending) counts.set(spec, (counts.get(spec) ?? 0) + n);
      for (const old of this.#windows.keys()) if (old < window - 1) this.#windows.delete(old);
      return;
    }
    const key = this.#key(window);
    const pipeline = redis.pipeline();
    for (const [spec, n] of pending) pipeline.zincrby(key, n, spec);
    pipeline.pexpire(key, this.#windowMs * 2 + 60_000);
    try {
      await pipeline.exec(); // counts are best effort: an outage drops them
    } catch {
      this.errors++;
    }
  }

  #localCounts(): Map<string, number> {
    const window = this.#window();
    const total = new Map<string, number>();
    for (const w of [window - 1, window]) {
      for (const [spec, n] of this.#windows.get(w) ?? [])
        total.set(spec, (total.get(spec) ?? 0) + n);
    }
    return total;
  }

  async #redisCounts(): Promise<Map<string, number>> {
    const { redis } = this.#options;
    const window = this.#window();
    const total = new Map<string, number>();
    if (!redis) return total;
    try {
      const reply = await redis.zunion(2, this.#key(window - 1), this.#key(window), 'WITHSCORES');
      for (let i = 0; i + 1 < reply.length; i += 2) total.set(reply[i]!, Number(reply[i + 1]));
    } catch {
      this.errors++;
    }
    return total;
  }

  #window(): number {
    return Math.floor(this.#now() / this.#windowMs);
  }

  #key(window: number): string {
    return `${this.#options.keyPrefix ?? 'tbr:'}{${this.#options.namespace}}#usage:${window}`;
  }
}
