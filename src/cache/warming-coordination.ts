/**
 * Whom a coordination shares usage counts and the warm lock with: every process that uses the
 * same backend (`'fleet'`), or this process only (`'process'`).
 */
export type CoordinationScope = 'fleet' | 'process';

/**
 * What cache warming shares between the instances of a service: the usage counts that decide which
 * reads are popular, and the lock that lets one instance warm per interval. A store offers one as
 * {@link CacheStore.coordination}; `RedisCacheStore` (and a `TieredCacheStore` over it) keeps both
 * in its Redis. Without one, warming coordinates in process only.
 *
 * Every key is per namespace (an entity's cache namespace). Methods may reject when the backend is
 * unreachable: a failed count is dropped, a failed lock call skips that warm.
 */
export interface WarmingCoordination {
  readonly scope: CoordinationScope;
  /**
   * Adds `counts` (a read's canonical text → its uses) to window number `window` of the
   * namespace. Windows are `windowMs` long; a window must stay readable until two windows after it.
   */
  addUsage(
    namespace: string,
    window: number,
    windowMs: number,
    counts: ReadonlyMap<string, number>,
  ): Promise<void>;
  /** The counts of the given windows, summed per read, as every instance added them. */
  readUsage(namespace: string, windows: readonly number[]): Promise<Map<string, number>>;
  /**
   * Takes the namespace's warm lock for `ttlMs` under `token` if nobody holds it; resolves to
   * whether it did.
   */
  acquireWarmLock(namespace: string, token: string, ttlMs: number): Promise<boolean>;
  /** Gives the lock back if it is still held under `token` (one that expired and was retaken is left alone). */
  releaseWarmLock(namespace: string, token: string): Promise<void>;
  /** Whether anyone holds the namespace's warm lock now. */
  isWarmLockHeld(namespace: string): Promise<boolean>;
}
