import { LRUCache } from 'lru-cache';
import type {
  CacheInvalidation,
  CacheLease,
  CacheRead,
  CacheRef,
  CacheStore,
  CacheTier,
  StoreMetrics,
} from './cache-store';
import { globMatcher } from './glob';
import { estimateBytes } from './value-size';

export interface LruCacheStoreOptions {
  /**
   * Most entries held.
   * @default 10_000
   * Cost: lru-cache preallocates index arrays of this length (about 8 bytes an entry).
   */
  readonly max?: number;
  /**
   * Most bytes held, by an estimate of each value's in-memory size.
   * @default 64 MiB
   * Cost: one walk over each value when it is stored (on a miss, never on a hit).
   */
  readonly maxBytes?: number;
}

interface Slot {
  /** The generation of the entry's scope when it was filled. */
  readonly gen: number;
  readonly value: unknown;
}

interface Generations {
  /** Bumped by every write to the namespace: guards query entries and every fill. */
  query: number;
  /** Bumped when a write's row ids are unknown: guards row entries. */
  row: number;
}

interface LruLease extends CacheLease {
  readonly gen: number;
}

const SEPARATOR = '\u0000';

/**
 * The in-process store, on lru-cache: bounded by entry count and bytes, with a TTL per entry. On
 * its own it suits a single process; as the L1 of a {@link TieredCacheStore} it is kept coherent
 * across processes through Redis pub/sub.
 *
 * A fill succeeds only if no write touched the namespace since the read that leased it, so a
 * reader that loaded an old row can never cache it after the write's invalidation.
 */
export class LruCacheStore implements CacheStore {
  readonly tiers: readonly CacheTier[] = ['l1'];
  readonly #entries: LRUCache<string, Slot>;
  readonly #generations = new Map<string, Generations>();
  readonly #hits = { l1: 0, l2: 0 };
  readonly #misses = { l1: 0, l2: 0 };

  constructor(options: LruCacheStoreOptions = {}) {
    this.#entries = new LRUCache<string, Slot>({
      max: options.max ?? 10_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (slot) => Math.max(1, estimateBytes(slot.value)),
    });
  }

  read(ref: CacheRef): CacheRead {
    const gens = this.#gens(ref.namespace);
    const slot = this.#entries.get(entryKey(ref));
    const lease: LruLease = { gen: gens.query, flightKey: `l1:${gens.query}` };
    if (slot !== undefined && slot.gen === gens[ref.scope]) {
      this.#hits.l1++;
      return { hit: true, value: slot.value, lease, tier: 'l1' };
    }
    this.#misses.l1++;
    return { hit: false, lease };
  }

  fill(ref: CacheRef, lease: CacheLease, value: unknown, ttlMs: number): boolean {
    const gens = this.#gens(ref.namespace);
    if ((lease as LruLease).gen !== gens.query) return false;
    this.#entries.set(entryKey(ref), { gen: gens[ref.scope], value }, { ttl: ttlMs });
    return true;
  }

  /** Synchronous: an in-process invalidation is complete when it returns. */
  invalidateNow(change: CacheInvalidation): void {
    const gens = this.#gens(change.namespace);
    gens.query++;
    if (change.rowKeys === undefined) gens.row++;
    else for (const key of change.rowKeys) this.#entries.delete(rowKey(change.namespace, key));
  }

  invalidate(change: CacheInvalidation): Promise<void> {
    this.invalidateNow(change);
    return Promise.resolve();
  }

  clear(namespace: string, pattern?: string): Promise<number> {
    return Promise.resolve(this.clearNow(namespace, pattern));
  }

  clearNow(namespace?: string, pattern?: string): number {
    if (namespace === undefined) {
      const size = this.#entries.size;
      this.#entries.clear();
      for (const gens of this.#generations.values()) {
        gens.query++;
        gens.row++;
      }
      return size;
    }
    const matches = globMatcher(pattern ?? '*');
    const prefix = `${namespace}${SEPARATOR}`;
    let removed = 0;
    for (const key of [...this.#entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      if (matches(key.slice(key.indexOf(SEPARATOR, prefix.length) + 1))) {
        this.#entries.delete(key);
        removed++;
      }
    }
    const gens = this.#gens(namespace);
    gens.query++; // a fill leased before the clear must not bring a cleared entry back
    return removed;
  }

  metrics(): StoreMetrics {
    return { hits: { ...this.#hits }, misses: { ...this.#misses }, errors: 0 };
  }

  #gens(namespace: string): Generations {
    let gens = this.#generations.get(namespace);
    if (!gens) {
      gens = { query: 0, row: 0 };
      this.#generations.set(namespace, gens);
    }
    return gens;
  }
}

function entryKey(ref: CacheRef): string {
  return `${ref.namespace}${SEPARATOR}${ref.scope}${SEPARATOR}${ref.key}`;
}

function rowKey(namespace: string, key: string): string {
  return `${namespace}${SEPARATOR}row${SEPARATOR}${key}`;
}
