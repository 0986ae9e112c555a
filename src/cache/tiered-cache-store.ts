import { randomUUID } from 'node:crypto';
import { positiveNumber } from '../config/option-checks';
import type {
  CacheInvalidation,
  CacheLease,
  CacheRead,
  CacheRef,
  CacheStore,
  CacheTier,
  StoreMetrics,
} from './cache-store';
import type { LocalCacheTier, SharedCacheTier, TierSubscription } from './cache-tiers';
import type { WarmingCoordination } from './warming-coordination';

export interface TieredCacheStoreOptions {
  /**
   * The channel invalidations travel on (through L2's `publish` and `subscribe`: Redis pub/sub for
   * a `RedisCacheStore`); every process sharing the L2 must use the same.
   * @default 'tbr:cache-invalidations'
   */
  readonly channel?: string;
  /**
   * Lifetime of an L1 entry copied from an L2 hit. Invalidations reach L1 through pub/sub; this
   * bounds how long an entry can outlive a message that was lost while the connection stayed up.
   * @default 60
   * Cost: a shorter life sends more L1 misses to Redis.
   */
  readonly l1TtlSeconds?: number;
}

interface TieredLease extends CacheLease {
  readonly l1: CacheLease | undefined;
  readonly l2: CacheLease;
}

interface Message {
  /** The sending process; its own stores were invalidated synchronously. */
  readonly o: string;
  readonly n: string;
  readonly r: readonly string[] | null;
}

/** Identifies this process on the invalidation channel. */
const PROCESS_ID = randomUUID();

/** The tiered stores of this process, by channel: a write evicts all of their L1s at once. */
const LOCAL_STORES = new Map<string, Set<TieredCacheStore>>();

/**
 * An in-process L1 (a {@link LocalCacheTier}: `LruCacheStore`) in front of a shared L2 (a
 * {@link SharedCacheTier}: `RedisCacheStore`, or a store of your own). A write invalidates L2
 * first, then the L1 of every tiered store in this process, then publishes the invalidation so
 * that every other process evicts its L1 entries too. Warming coordinates through L2's
 * coordination.
 *
 * L1 is used only while the subscription to the channel is up: when it drops, invalidations from
 * other processes could be missed, so L1 is cleared and reads go to L2 until it is back.
 */
export class TieredCacheStore<
  L1 extends LocalCacheTier = LocalCacheTier,
  L2 extends SharedCacheTier = SharedCacheTier,
> implements CacheStore {
  readonly tiers: readonly CacheTier[] = ['l1', 'l2'];
  readonly coordination: WarmingCoordination | undefined;
  readonly #channel: string;
  readonly #l1TtlMs: number;
  readonly #subscription: TierSubscription;
  #subscribed = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(
    readonly l1: L1,
    readonly l2: L2,
    options: TieredCacheStoreOptions = {},
  ) {
    this.#channel = options.channel ?? 'tbr:cache-invalidations';
    this.#l1TtlMs =
      positiveNumber('TieredCacheStore.l1TtlSeconds', options.l1TtlSeconds ?? 60) * 1000;
    this.coordination = l2.coordination;
    let peers = LOCAL_STORES.get(this.#channel);
    if (!peers) LOCAL_STORES.set(this.#channel, (peers = new Set()));
    peers.add(this);

    l2.onRedelivered?.((namespace) => void this.#flushEverywhere(namespace));
    this.#subscription = l2.subscribe(this.#channel, {
      message: (text) => this.#receive(text),
      up: () => this.#up(),
      down: () => this.#unsubscribed(),
    });
  }

  /** Whether L1 is in use: the invalidation subscription is up. */
  get l1Active(): boolean {
    return this.#subscribed;
  }

  async read(ref: CacheRef, forFill = false): Promise<CacheRead> {
    const first = this.#subscribed ? this.l1.read(ref) : undefined;
    if (first?.hit && !forFill) return first;
    const second = await this.l2.read(ref);
    if (!second.lease) return { hit: false, lease: undefined };
    const l1 = first?.lease;
    const lease: TieredLease = {
      l1,
      l2: second.lease,
      flightKey: `${l1?.flightKey}/${second.lease.flightKey}`,
    };
    if (!second.hit) return { hit: false, lease };
    if (l1 && this.#subscribed) this.l1.fill(ref, l1, second.value, this.#l1TtlMs);
    return { hit: true, value: second.value, lease, tier: 'l2' };
  }

  async fill(ref: CacheRef, lease: CacheLease, value: unknown, ttlMs: number): Promise<boolean> {
    const { l1, l2 } = lease as TieredLease;
    if (!(await this.l2.fill(ref, l2, value, ttlMs))) return false;
    if (l1 && this.#subscribed) this.l1.fill(ref, l1, value, Math.min(ttlMs, this.#l1TtlMs));
    return true;
  }

  async invalidate(change: CacheInvalidation): Promise<void> {
    await this.l2.invalidate(change);
    await this.#evictL1Everywhere(change, (store) => store.l1.invalidateNow(change));
  }

  async clear(namespace: string, pattern?: string): Promise<number> {
    const removed = await this.l2.clear(namespace, pattern);
    // Other processes drop the whole namespace from L1: a pattern does not travel.
    const change = { namespace, rowKeys: undefined };
    await this.#evictL1Everywhere(change, (store) => store.l1.clearNow(namespace, pattern));
    return removed;
  }

  /** After an outage: every process drops the namespace from L1 (messages may have been lost). */
  #flushEverywhere(namespace: string): Promise<void> {
    const change = { namespace, rowKeys: undefined };
    return this.#evictL1Everywhere(change, (store) => store.l1.invalidateNow(change));
  }

  /**
   * Applies `evict` to the L1 of every tiered store of this process at once, then publishes
   * `change` so that every other process evicts its L1 too. Called after L2 is invalidated.
   */
  async #evictL1Everywhere(
    change: CacheInvalidation,
    evict: (store: TieredCacheStore) => void,
  ): Promise<void> {
    for (const store of LOCAL_STORES.get(this.#channel) ?? []) evict(store);
    const message: Message = { o: PROCESS_ID, n: change.namespace, r: change.rowKeys ?? null };
    await this.l2.publish(this.#channel, JSON.stringify(message));
  }

  metrics(): StoreMetrics {
    const first = this.l1.metrics();
    const second = this.l2.metrics();
    return {
      hits: { l1: first.hits.l1, l2: second.hits.l2 },
      misses: { l1: first.misses.l1, l2: second.misses.l2 },
      errors: second.errors,
    };
  }

  /** Resolves once the invalidation subscription is up (L1 in use), or the store is closed. */
  ready(): Promise<void> {
    if (this.#subscribed || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops listening for invalidations and forgets this store; the L2's client stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribed();
    this.#wake();
    LOCAL_STORES.get(this.#channel)?.delete(this);
    await this.#subscription.close();
  }

  #up(): void {
    // Messages may have been missed while unsubscribed: start L1 from empty.
    this.l1.clearNow();
    this.#subscribed = !this.#closed;
    this.#wake();
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  #unsubscribed(): void {
    if (this.#subscribed) this.l1.clearNow();
    this.#subscribed = false;
  }

  #receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.o === PROCESS_ID) return; // this process's stores were invalidated synchronously
    this.l1.invalidateNow({ namespace: message.n, rowKeys: message.r ?? undefined });
  }
}
