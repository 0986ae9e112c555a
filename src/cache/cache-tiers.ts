import type { CacheInvalidation, CacheLease, CacheRead, CacheRef, CacheStore } from './cache-store';

/**
 * What a {@link TieredCacheStore} needs of its L1: an in-process store whose reads, fills and
 * invalidations are synchronous, so that a write evicts the L1 of every tiered store of the
 * process in one step and an L1 hit costs no promise. `LruCacheStore` is one.
 */
export interface LocalCacheTier extends CacheStore {
  read(ref: CacheRef, forFill?: boolean): CacheRead;
  fill(ref: CacheRef, lease: CacheLease, value: unknown, ttlMs: number): boolean;
  /** Invalidates at once: complete when it returns. */
  invalidateNow(change: CacheInvalidation): void;
  /**
   * Removes the namespace's entries whose key matches `pattern` (every entry of every namespace
   * when `namespace` is undefined), at once, so that no fill leased before it can land; returns the
   * number removed.
   */
  clearNow(namespace?: string, pattern?: string): number;
}

/** Told about the messages of a {@link SharedCacheTier.subscribe} subscription and its state. */
export interface TierSubscriber {
  /** A message published on the channel, by this process or another. */
  message(text: string): void;
  /** The subscription is up (the first time, or again after a drop): messages arrive from now on. */
  up(): void;
  /** The subscription dropped: messages may be missed until `up()` comes again. */
  down(): void;
}

export interface TierSubscription {
  /** Stops listening and releases what the subscription holds (its connection). */
  close(): Promise<void>;
}

/**
 * What a {@link TieredCacheStore} needs of its L2: a store every process shares, which also
 * carries the invalidation messages by which processes evict one another's L1 entries.
 * `RedisCacheStore` is one (Redis pub/sub).
 */
export interface SharedCacheTier extends CacheStore {
  /** Sends `message` to every subscriber of `channel`; resolves to whether it was sent. Never rejects. */
  publish(channel: string, message: string): Promise<boolean>;
  /**
   * Listens on `channel` until the subscription is closed, reconnecting by itself; reports each
   * message, and each time the subscription comes up or drops.
   */
  subscribe(channel: string, subscriber: TierSubscriber): TierSubscription;
  /**
   * Calls `listener` with each namespace whose invalidation, lost in an outage, this store
   * delivered late; the tiered store then drops the namespace from every L1. Optional: a store that
   * does not remember lost invalidations has nothing to report.
   */
  onRedelivered?(listener: (namespace: string) => void): void;
}
