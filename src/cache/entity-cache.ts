import type { EntityId } from '../model/entity-model';
import { CACHED_OPERATIONS, type CacheConfig, type CachedOperation } from './cache-config';
import type { CacheLease, CacheRef, CacheStore, CacheTier } from './cache-store';
import { fraction, oneOf, positiveNumber } from '../config/option-checks';
import { OptionError } from '../errors';
import { InProcessWarmingCoordination } from './in-process-coordination';
import { SingleFlight } from './single-flight';
import type { CoordinationScope, WarmingCoordination } from './warming-coordination';

const OPERATION_NAMES = Object.keys(CACHED_OPERATIONS) as CachedOperation[];

/** What `cacheMetrics()` reports. */
export interface CacheMetrics {
  readonly hits: Readonly<Record<CacheTier, number>>;
  readonly misses: Readonly<Record<CacheTier, number>>;
  /** Results stored after a miss. */
  readonly fills: number;
  /** Results not stored because a write happened while they were being read. */
  readonly fillsRejected: number;
  /** Misses that waited for an identical load already in flight instead of querying. */
  readonly singleFlightJoins: number;
  readonly invalidations: number;
  /** Store commands that failed or timed out; each read fell back to the database. */
  readonly errors: number;
  readonly warm: WarmMetrics;
}

export interface WarmMetrics {
  /**
   * Whom usage counts and the warm lock are shared with: `'fleet'` through the store's
   * coordination (Redis), `'process'` when the store offers none (`LruCacheStore`): then each
   * instance counts and warms on its own.
   */
  readonly coordination: CoordinationScope;
  readonly runs: number;
  readonly queriesWarmed: number;
  readonly lastDurationMs: number | undefined;
  readonly lastRunAt: Date | undefined;
}

/**
 * One repository's view of its cache: which reads are cached, read-through with single-flight,
 * conditional fills, and invalidation. Shared by a repository and its `withManager` clones.
 */
export class EntityCache {
  readonly namespace: string;
  readonly store: CacheStore;
  /** Where warming keeps usage counts and its lock: the store's, or this process's. */
  readonly coordination: WarmingCoordination;
  readonly #operations: ReadonlySet<CachedOperation>;
  readonly #ttlMs: number;
  readonly #jitter: number;
  readonly #flights = new SingleFlight();
  #fills = 0;
  #fillsRejected = 0;
  #invalidations = 0;
  warm: WarmMetrics;

  constructor(
    readonly config: CacheConfig,
    defaultNamespace: string,
  ) {
    if (!config.store) throw OptionError.invalid('cache.store', 'a cache store', config.store);
    const ttl = positiveNumber('cache.ttlSeconds', config.ttlSeconds ?? 600);
    const jitter = fraction('cache.ttlJitter', config.ttlJitter ?? 0.1);
    for (const op of config.operations ?? []) oneOf('cache.operations', op, OPERATION_NAMES);
    this.store = config.store;
    this.coordination = config.store.coordination ?? new InProcessWarmingCoordination(config.store);
    this.warm = {
      coordination: this.coordination.scope,
      runs: 0,
      queriesWarmed: 0,
      lastDurationMs: undefined,
      lastRunAt: undefined,
    };
    this.namespace = config.keyPrefix ?? defaultNamespace;
    this.#operations = new Set(
      config.operations ?? (Object.keys(CACHED_OPERATIONS) as CachedOperation[]),
    );
    this.#ttlMs = ttl * 1000;
    this.#jitter = jitter;
  }

  caches(op: CachedOperation): boolean {
    return this.#operations.has(op);
  }

  rowRef(id: EntityId): CacheRef {
    return { namespace: this.namespace, scope: 'row', key: `id:${String(id)}` };
  }

  queryRef(key: string): CacheRef {
    return { namespace: this.namespace, scope: 'query', key };
  }

  /**
   * The cached value of `ref`, or `load()`'s result stored if no write happened meanwhile. With
   * `refresh` (warming) the stored value is replaced even on a hit, and `refresh` learns whether
   * the fresh value was stored.
   */
  async fetch(
    ref: CacheRef,
    load: () => Promise<unknown>,
    refresh?: (stored: boolean) => void,
  ): Promise<unknown> {
    let read = this.store.read(ref, refresh !== undefined);
    if (read instanceof Promise) read = await read;
    if (read.hit && !refresh) return read.value;
    const { lease } = read;
    if (!lease) return load(); // the store is unavailable: straight to the database
    if (refresh) {
      const { value, filled } = this.#loadAndFill(ref, lease, load);
      refresh(await filled);
      return value;
    }
    const flightKey = `${ref.scope}:${ref.key}|${lease.flightKey}`;
    const pending = this.#flights.join(flightKey);
    if (pending) return pending;
    const { value, filled } = this.#loadAndFill(ref, lease, load);
    this.#flights.start(flightKey, value, filled);
    return value;
  }

  /** Invalidates the rows (all of them when `ids` is undefined) and every query entry. */
  async invalidate(ids: readonly EntityId[] | undefined): Promise<void> {
    this.#invalidations++;
    const rowKeys = ids?.map((id) => this.rowRef(id).key);
    await this.store.invalidate({ namespace: this.namespace, rowKeys });
  }

  /** Removes entries matching `pattern` (`'list:*'`, `'id:42'`), or all of this entity's. */
  clear(pattern?: string): Promise<number> {
    this.#invalidations++;
    return this.store.clear(this.namespace, pattern);
  }

  metrics(): CacheMetrics {
    const store = this.store.metrics();
    return {
      hits: store.hits,
      misses: store.misses,
      fills: this.#fills,
      fillsRejected: this.#fillsRejected,
      singleFlightJoins: this.#flights.joins,
      invalidations: this.#invalidations,
      errors: store.errors,
      warm: { ...this.warm },
    };
  }

  /** The loaded value as soon as it is read; `filled` resolves to whether it was stored. */
  #loadAndFill(
    ref: CacheRef,
    lease: CacheLease,
    load: () => Promise<unknown>,
  ): { value: Promise<unknown>; filled: Promise<boolean> } {
    const value = load();
    const filled = value.then(
      async (loaded) => {
        const stored = await this.store.fill(ref, lease, loaded, this.#ttl());
        if (stored) this.#fills++;
        else this.#fillsRejected++;
        return stored;
      },
      () => false, // a failed load is reported through `value`
    );
    return { value, filled };
  }

  #ttl(): number {
    return this.#ttlMs * (1 + Math.random() * this.#jitter);
  }
}
