import type { CacheStore } from './cache-store';

/** The read calls a repository can cache. */
export type CachedOperation = 'findById' | 'findOne' | 'list' | 'count';

export const CACHED_OPERATIONS: Readonly<Record<CachedOperation, true>> = Object.freeze({
  findById: true,
  findOne: true,
  list: true,
  count: true,
});

/** Usage tracking and scheduled warming of an entity's popular queries. */
export interface WarmingConfig {
  /**
   * Whether `startCacheWarming()` schedules runs (`warmCache()` can always be called).
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * How many of the most used queries a warm run re-runs.
   * @default 10
   * Cost: one database query each per run.
   */
  readonly popularQueriesLimit?: number;
  /**
   * The fewest uses in the window for a query to be warmed.
   * @default 5
   */
  readonly minUsageCount?: number;
  /**
   * Time between scheduled runs; also the window usage is counted over (the current and the
   * previous window count, so yesterday's hot query fades out).
   * @default 3600
   */
  readonly warmIntervalSeconds?: number;
  /**
   * Count each cached read's normalized query, for `getPopularQueries()` and `warmCache()`. Counts
   * are kept in process and flushed every few seconds to the store's coordination (Redis: a sorted
   * set per window), shared by every instance; a store without one (`LruCacheStore`) counts per
   * repository, in process (`cacheMetrics().warm.coordination` says which).
   * @default the value of `enabled`
   * Cost: about 1 µs per cached read (a Map update; list/count reuse the key the cache built);
   * one pipelined Redis round trip per flush.
   */
  readonly trackUsage?: boolean;
}

/** Caching for one entity's repository. */
export interface CacheConfig {
  /** Where entries live: `LruCacheStore`, `RedisCacheStore`, `TieredCacheStore`, or your own `CacheStore`. */
  readonly store: CacheStore;
  /**
   * Lifetime of an entry. Writes invalidate entries long before this; it bounds memory.
   * @default 600
   */
  readonly ttlSeconds?: number;
  /**
   * Fraction of `ttlSeconds` added at random to each entry's lifetime, so entries filled together
   * do not all expire together.
   * @default 0.1
   */
  readonly ttlJitter?: number;
  /**
   * The reads served from the cache.
   * @default ['findById', 'findOne', 'list', 'count']
   */
  readonly operations?: readonly CachedOperation[];
  /**
   * The entity's namespace in the store; repositories of the same entity (and table) must share
   * it, different entities must not.
   * @default the entity's table name
   */
  readonly keyPrefix?: string;
  /** Usage tracking and the scheduled warmer. */
  readonly warming?: WarmingConfig;
}
