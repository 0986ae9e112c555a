import { LRUCache } from 'lru-cache';
import { nonNegativeInteger } from '../config/option-checks';
import type {
  CacheInvalidation,
  CacheLease,
  CacheRead,
  CacheRef,
  CacheTier,
  StoreMetrics,
} from './cache-store';
import type { LocalCacheTier } from './cache-tiers';
import { globMatcher } from './glob';
import { estimateBytes } from './value-size';
import { ConfigurationError } from '../errors';

export interface LruCacheStoreOptions {
  /**
   * Most entries held, on top of `maxBytes`.
   * @default no count limit: `maxBytes` alone bounds the store
   * Cost: lru-cache preallocates arrays of this length at construction (about 40 bytes a slot);
   * that preallocation is taken out of `maxBytes`, and a `max` whose preallocation leaves
   * nothing of `maxBytes` is refused.
   */
  readonly max?: number;
  /**
   * Most bytes of heap the store holds. Counted: what lru-cache preallocates for `max`, and for
   * each entry its key string, a measured overhead (the slot, lru-cache's Map entry and array
   * slots: about 210 bytes, 130 with `max`) and an estimate of the value's in-memory size
   * (strings at two bytes a character, so Latin-1 text, stored at one, fills about half).
   * Measured on Node 20, the heap held stayed within 1.02 times this.
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
  /** The lease of the current `query` generation, made once per generation, not per read. */
  lease?: LruLease;
}

interface LruLease extends CacheLease {
  readonly gen: number;
}

const SEPARATOR = '\u0000';

/*
 * What the store holds besides values, in bytes. Measured on Node 20.20 (x64) with --expose-gc:
 * heapUsed after gc of a store filled with N = 20,000 to 300,000 `emp/row/id:<n>` entries, whose
 * values were held elsewhere, minus heapUsed before, divided by N; then the key's estimate taken
 * out. The figures are the highest seen (lru-cache's Map and arrays grow in steps); the whole
 * store is checked against maxBytes by test/unit/lru-cache-memory.test.ts. Generations are per
 * namespace (one per repository), not per entry, and are not counted.
 */
/** The slot object and the entry in lru-cache's key Map: 149 to 175 bytes with the key. */
const ENTRY_BYTES = 128;
/** lru-cache's arrays (key, value, links, size, TTL) when they grow per entry (no `max`). */
const GROWN_SLOT_BYTES = 80;
/** What lru-cache preallocates for each unit of `max` (an empty store with `max` set: 40). */
const PREALLOCATED_SLOT_BYTES = 40;

/**
 * The in-process store, on lru-cache: bounded by the bytes it holds (and by entry count if `max`
 * is set), with a TTL per entry. On its own it suits a single process; as the L1 of a
 * {@link TieredCacheStore} it is kept coherent across processes through Redis pub/sub.
 *
 * A fill succeeds only if no write touched the namespace since the read that leased it, so a
 * reader that loaded an old row can never cache it after the write's invalidation.
 *
 * It offers no warming coordination: warming with it alone is per process.
 */
export class LruCacheStore implements LocalCacheTier {
  readonly tiers: readonly CacheTier[] = ['l1'];
  readonly #entries: LRUCache<string, Slot>;
  readonly #generations = new Map<string, Generations>();
  readonly #hits = { l1: 0, l2: 0 };
  readonly #misses = { l1: 0, l2: 0 };

  constructor(options: LruCacheStoreOptions = {}) {
    const { maxBytes = 64 * 1024 * 1024 } = options;
    const max = nonNegativeInteger('LruCacheStore.max', options.max ?? 0);
    const preallocated = max * PREALLOCATED_SLOT_BYTES;
    if (!(maxBytes - preallocated >= 1)) {
      throw new ConfigurationError(
        `LruCacheStore: maxBytes ${maxBytes} leaves nothing for entries after max ${max} preallocates ${preallocated} bytes`,
      );
    }
    // With `max`, lru-cache's arrays are the preallocation, already taken out of maxSize.
    const overhead = max === 0 ? ENTRY_BYTES + GROWN_SLOT_BYTES : ENTRY_BYTES;
    this.#entries = new LRUCache<string, Slot>({
      max,
      maxSize: Math.floor(maxBytes - preallocated),
      sizeCalculation: (slot, key) => overhead + estimateBytes(key) + estimateBytes(slot.value),
    });
  }

  read(ref: CacheRef): CacheRead {
    const gens = this.#gens(ref.namespace);
    const slot = this.#entries.get(entryKey(ref));
    let { lease } = gens;
    if (lease?.gen !== gens.query) {
      lease = gens.lease = { gen: gens.query, flightKey: `l1:${gens.query}` };
    }
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
