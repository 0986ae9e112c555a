import type { WarmingCoordination } from './warming-coordination';

/**
 * One cache entry. A namespace holds one entity's entries (a Redis hash tag, so they share a
 * cluster slot); `scope` says which generation guards the entry: `row` entries are single rows by
 * primary key, `query` entries are the results of findOne, list and count.
 */
export interface CacheRef {
  readonly namespace: string;
  readonly scope: 'row' | 'query';
  /** Unique within the namespace and scope: `id:42`, `list:<tenant>:<hash>`. */
  readonly key: string;
}

/**
 * What a read saw: the scope's generation and the entry's token (the filled value's or an
 * invalidation's tombstone, '' for nothing). A fill succeeds only if both are still the same, so a
 * reader that loaded a row before a write can never store it after that write's invalidation.
 */
export interface CacheLease {
  /** Identifies what was observed; equal keys mean the same cache state (used by single-flight). */
  readonly flightKey: string;
}

export type CacheRead =
  | {
      readonly hit: true;
      readonly value: unknown;
      readonly lease: CacheLease;
      readonly tier: CacheTier;
    }
  | {
      readonly hit: false;
      /** `undefined` when the store is unavailable: the caller reads the database and does not fill. */
      readonly lease: CacheLease | undefined;
    };

export type CacheTier = 'l1' | 'l2';

/** What a write changed, as the cache sees it. Every query entry of the namespace is invalidated. */
export interface CacheInvalidation {
  readonly namespace: string;
  /** Row keys to invalidate; `undefined` invalidates every row entry of the namespace. */
  readonly rowKeys: readonly string[] | undefined;
}

/** Counters a store keeps; the repository adds them to its `cacheMetrics()`. */
export interface StoreMetrics {
  readonly hits: Readonly<Record<CacheTier, number>>;
  readonly misses: Readonly<Record<CacheTier, number>>;
  /** Commands that failed or timed out (the read went to the database instead). */
  readonly errors: number;
}

/**
 * The storage behind a repository's cache: read with a lease, fill only if nothing changed since
 * the read, invalidate rows and queries, clear by pattern. Implementations: {@link LruCacheStore}
 * (in process), {@link RedisCacheStore} (shared), {@link TieredCacheStore} (both); a store of your
 * own implements this and runs through the same contract (docs/caching.md, "Writing a store").
 *
 * Values are plain data (objects, arrays, numbers, strings, null, Date, bigint, Buffer). A value a
 * store returns may be shared with the store: treat it as read-only (the repository copies it).
 */
export interface CacheStore {
  /** The tiers this store serves from. */
  readonly tiers: readonly CacheTier[];
  /**
   * @param forFill the caller will fill whatever it finds (warming): a tiered store then reads
   *   through to L2, since only an L2 lease can fill L2
   */
  read(ref: CacheRef, forFill?: boolean): CacheRead | Promise<CacheRead>;
  /** Stores `value` if the lease still holds; resolves to whether it did. */
  fill(ref: CacheRef, lease: CacheLease, value: unknown, ttlMs: number): boolean | Promise<boolean>;
  /** Invalidates before resolving; on a shared store, in every process. Never rejects. */
  invalidate(change: CacheInvalidation): Promise<void>;
  /**
   * Removes the namespace's entries whose key matches `pattern` (a glob: `list:*`), or all of
   * them; resolves to the number removed.
   */
  clear(namespace: string, pattern?: string): Promise<number>;
  metrics(): StoreMetrics;
  /**
   * Where cache warming keeps its usage counts and its warm lock. A shared store offers a
   * coordination of scope `'fleet'`, so that every instance counts into the same windows and one
   * instance warms per interval; `cacheMetrics().warm.coordination` reports which one a
   * repository got.
   * @default none: warming coordinates in process (each repository counts its own reads; the
   *   lock is shared by the repositories of this store object), as for `LruCacheStore`
   * Cost: whatever its backend costs; usage counts reach it every few seconds, one batch a flush,
   *   and the lock is taken once per warm.
   */
  readonly coordination?: WarmingCoordination;
  close?(): Promise<void>;
}
