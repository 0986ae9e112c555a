import type { RedisClusterClient, RedisNodeClient } from './redis-client';
import { callback, finiteAtLeast } from '../config/option-checks';
import { decodeValue, encodeValue } from './cache-codec';
import type {
  CacheInvalidation,
  CacheLease,
  CacheRead,
  CacheRef,
  CacheTier,
  StoreMetrics,
} from './cache-store';
import type { SharedCacheTier, TierSubscriber, TierSubscription } from './cache-tiers';
import { escapeGlob } from './glob';
import {
  FILL_SCRIPT,
  INIT_GENERATIONS_SCRIPT,
  initialGeneration,
  INVALIDATE_SCRIPT,
  RedisScript,
} from './redis-scripts';
import { subscribeRedis } from './redis-subscription';
import { RedisWarmingCoordination } from './redis-warming-coordination';
import type { WarmingCoordination } from './warming-coordination';

export interface RedisCacheStoreOptions {
  /**
   * Prefix of every key this store writes, so that several applications can share a Redis.
   * @default 'tbr:'
   */
  readonly keyPrefix?: string;
  /**
   * How long a cache command may take before the read goes to the database instead (fail-open).
   * @default 50
   * Cost: a slow Redis adds up to this much to a read before it falls back.
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long a command made before the client's first connection is up waits for it. A service
   * uses its store as soon as it starts; without the wait every read until then would miss and
   * its fill be dropped. Only the first connection is waited for: during an outage commands fail
   * open at once.
   * @default 1000
   * Cost: the reads of a starting process wait up to this long for Redis (once, together).
   */
  readonly connectTimeoutMs?: number;
  /**
   * Where the one warning per outage goes.
   * @default process.emitWarning
   */
  readonly warn?: (message: string) => void;
}

/** ioredis states before the first connection is up. */
const STARTING = new Set(['wait', 'connecting', 'connect']);

/** Row ids beyond this many in one write invalidate every row entry instead (one INCR). */
const MAX_KEYS_PER_INVALIDATION = 1000;

interface RedisLease extends CacheLease {
  readonly queryGen: string;
  readonly rowGen: string;
}

const INIT_GENERATIONS = new RedisScript(INIT_GENERATIONS_SCRIPT);
const FILL = new RedisScript(FILL_SCRIPT);
const INVALIDATE = new RedisScript(INVALIDATE_SCRIPT);

/**
 * The shared store, on ioredis (a single node or `Redis.Cluster`). Entries of one namespace share
 * a hash tag. A read is one MGET of the entry and its generations; fills and invalidations are
 * each one Lua script, so "fill only if no write happened since the read" is atomic across every
 * process sharing the Redis.
 *
 * Fail-open: when Redis is down or slower than `commandTimeoutMs`, reads miss without a lease (the
 * repository reads the database and does not fill), errors are counted, one warning is logged per
 * outage, and caching resumes by itself. An invalidation that could not be delivered is remembered
 * per namespace, and the namespace is flushed before this store serves from it again.
 *
 * Warming coordinates through the same Redis: usage counts and the warm lock are shared by every
 * instance with the same client and `keyPrefix` ({@link RedisWarmingCoordination}).
 */
export class RedisCacheStore implements SharedCacheTier {
  readonly tiers: readonly CacheTier[] = ['l2'];
  readonly keyPrefix: string;
  readonly coordination: WarmingCoordination;
  readonly #timeoutMs: number;
  readonly #warn: (message: string) => void;
  readonly #undelivered = new Set<string>();
  readonly #redelivered: ((namespace: string) => void)[] = [];
  readonly #hits = { l1: 0, l2: 0 };
  readonly #misses = { l1: 0, l2: 0 };
  #errors = 0;
  #healthy = true;
  readonly #connectTimeoutMs: number;
  /** Until the first connection is up, or waiting for it timed out once, commands wait for it. */
  #pastStartup: boolean;
  #connecting: Promise<boolean> | undefined;

  constructor(
    readonly redis: RedisNodeClient | RedisClusterClient,
    options: RedisCacheStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'tbr:';
    const { commandTimeoutMs = 50, connectTimeoutMs = 1000, warn } = options;
    this.coordination = new RedisWarmingCoordination(redis, this.keyPrefix);
    this.#timeoutMs = finiteAtLeast('RedisCacheStore.commandTimeoutMs', commandTimeoutMs, 0);
    this.#connectTimeoutMs = finiteAtLeast('RedisCacheStore.connectTimeoutMs', connectTimeoutMs, 0);
    this.#pastStartup = redis.status === 'ready';
    this.#warn =
      warn === undefined
        ? (message) => process.emitWarning(message, 'CacheWarning')
        : callback('RedisCacheStore.warn', warn);
    // Invalidations lost in an outage are delivered as soon as the connection is back, not on
    // this process's next read of the entity (it may never read it).
    redis.on('ready', () => void this.#redeliverAll());
    // Commands are sent only to a ready client, so a lazy one would never connect by itself.
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
  }

  /** Calls `listener` with each namespace flushed after an outage (the tiered store tells L1s). */
  onRedelivered(listener: (namespace: string) => void): void {
    this.#redelivered.push(listener);
  }

  async read(ref: CacheRef): Promise<CacheRead> {
    if (this.#undelivered.has(ref.namespace) && !(await this.#redeliver(ref.namespace))) {
      return { hit: false, lease: undefined };
    }
    const genKeys = [this.#genKey(ref.namespace, 'query'), this.#genKey(ref.namespace, 'row')];
    // A plain MGET, not a script: a hit costs what a GET costs. The generation check is done here.
    const reply = await this.#guarded(() => this.redis.mget(...genKeys, this.#entryKey(ref)));
    if (!reply) return { hit: false, lease: undefined };
    let [queryGen, rowGen] = reply;
    const stored = reply[2];
    if (queryGen == null || rowGen == null) {
      // First use of the namespace (or its generations were evicted): start them, then miss.
      const started = await this.#run(INIT_GENERATIONS, genKeys, [initialGeneration()]);
      if (!Array.isArray(started)) return { hit: false, lease: undefined };
      [queryGen, rowGen] = started as [string, string];
      this.#misses.l2++;
      return { hit: false, lease: { queryGen, rowGen, flightKey: `l2:${queryGen}` } as RedisLease };
    }
    const lease: RedisLease = { queryGen, rowGen, flightKey: `l2:${queryGen}` };
    const separator = stored == null ? -1 : stored.indexOf('|');
    const want = ref.scope === 'row' ? rowGen : queryGen;
    if (stored == null || separator < 0 || stored.slice(0, separator) !== want) {
      this.#misses.l2++;
      return { hit: false, lease };
    }
    this.#hits.l2++;
    return { hit: true, value: decodeValue(stored.slice(separator + 1)), lease, tier: 'l2' };
  }

  async fill(ref: CacheRef, lease: CacheLease, value: unknown, ttlMs: number): Promise<boolean> {
    const { queryGen, rowGen } = lease as RedisLease;
    const stored = `${ref.scope === 'row' ? rowGen : queryGen}|${encodeValue(value)}`;
    const keys = [this.#genKey(ref.namespace, 'query'), this.#entryKey(ref)];
    const reply = await this.#run(FILL, keys, [queryGen, stored, Math.max(1, Math.round(ttlMs))]);
    return reply === 1;
  }

  async invalidate(change: CacheInvalidation): Promise<void> {
    const { namespace, rowKeys } = change;
    const allRows = rowKeys === undefined || rowKeys.length > MAX_KEYS_PER_INVALIDATION;
    const keys = [this.#genKey(namespace, 'query'), this.#genKey(namespace, 'row')];
    if (!allRows)
      for (const key of rowKeys) keys.push(this.#entryKey({ namespace, scope: 'row', key }));
    const reply = await this.#run(INVALIDATE, keys, [allRows ? '1' : '0', initialGeneration()]);
    if (reply === undefined) this.#undelivered.add(namespace);
  }

  async clear(namespace: string, pattern?: string): Promise<number> {
    const base = `${escapeGlob(this.keyPrefix)}{${escapeGlob(namespace)}}:`;
    const match = pattern === undefined ? `${base}[rq]:*` : `${base}[rq]:${pattern}`;
    let removed = 0;
    try {
      for (const node of this.#nodes()) {
        for await (const keys of node.scanStream({ match, count: 500 }) as AsyncIterable<
          string[]
        >) {
          if (keys.length > 0) removed += await node.unlink(...keys);
        }
      }
    } catch (error) {
      this.#failed(error);
    }
    // A fill leased before the clear must not bring a cleared entry back.
    await this.invalidate({ namespace, rowKeys: pattern === undefined ? undefined : [] });
    return removed;
  }

  metrics(): StoreMetrics {
    return { hits: { ...this.#hits }, misses: { ...this.#misses }, errors: this.#errors };
  }

  /** Whether the connection is up; while it is not, every call fails fast instead of queueing. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  #nodes(): RedisNodeClient[] {
    return 'nodes' in this.redis ? this.redis.nodes('master') : [this.redis];
  }

  #genKey(namespace: string, scope: 'query' | 'row'): string {
    return `${this.keyPrefix}{${namespace}}#g:${scope === 'query' ? 'q' : 'r'}`;
  }

  #entryKey(ref: CacheRef): string {
    return `${this.keyPrefix}{${ref.namespace}}:${ref.scope === 'row' ? 'r' : 'q'}:${ref.key}`;
  }

  /** Flushes a namespace whose invalidation was lost in an outage; false while still failing. */
  async #redeliver(namespace: string): Promise<boolean> {
    const keys = [this.#genKey(namespace, 'query'), this.#genKey(namespace, 'row')];
    const reply = await this.#run(INVALIDATE, keys, ['1', initialGeneration()]);
    if (reply === undefined) return false;
    this.#undelivered.delete(namespace);
    for (const listener of this.#redelivered) listener(namespace);
    return true;
  }

  async #redeliverAll(): Promise<void> {
    for (const namespace of [...this.#undelivered]) await this.#redeliver(namespace);
  }

  /** Publishes on `channel`, fail-open like every other command; resolves to whether it was sent. */
  async publish(channel: string, message: string): Promise<boolean> {
    return (await this.#guarded(() => this.redis.publish(channel, message))) !== undefined;
  }

  /** Subscribes to `channel` on a connection of its own (`redis.duplicate()`). */
  subscribe(channel: string, subscriber: TierSubscriber): TierSubscription {
    return subscribeRedis(this.redis, channel, subscriber);
  }

  #run(script: RedisScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.#guarded(() => script.run(this.redis, keys, args));
  }

  /** Runs a command with the timeout; `undefined` when Redis is unavailable (counted, warned). */
  async #guarded<R>(command: () => Promise<R>): Promise<R | undefined> {
    if (!this.available && !this.#pastStartup) await this.#firstConnection();
    if (!this.available) {
      // Still connecting at startup is not an outage: no warning, but no waiting either.
      const starting = STARTING.has(this.redis.status);
      this.#failed(new Error(`Redis is ${this.redis.status}`), !starting);
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const pending = command().finally(() => (settled = true));
    const timeout = new Promise<never>((_, reject) => {
      // An event-loop stall fires the timer late, after the reply may already have arrived: let
      // pending I/O run once before calling the command timed out.
      const expire = () => {
        if (!settled) reject(new Error(`cache command timed out after ${this.#timeoutMs} ms`));
      };
      timer = setTimeout(() => setImmediate(expire), this.#timeoutMs);
    });
    try {
      const reply = await Promise.race([pending, timeout]);
      if (!this.#healthy) {
        this.#healthy = true;
        this.#warn('Redis cache recovered; caching resumed');
      }
      return reply;
    } catch (error) {
      this.#failed(error);
      return undefined;
    } finally {
      clearTimeout(timer);
      pending.catch(() => undefined); // a late failure after the timeout was already counted
    }
  }

  /** Waits, bounded, for the client's first connection; one wait shared by every caller. */
  #firstConnection(): Promise<boolean> {
    const { redis } = this;
    if (!STARTING.has(redis.status)) return Promise.resolve(false);
    this.#connecting ??= new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        redis.off('end', onEnd);
        // Waited once: if Redis is not up by now it is down, and reads fail open from here.
        this.#pastStartup = true;
        resolve(ok);
      };
      const onReady = () => done(true);
      const onEnd = () => done(false);
      const timer = setTimeout(() => done(false), this.#connectTimeoutMs);
      timer.unref();
      redis.once('ready', onReady);
      redis.once('end', onEnd);
    });
    return this.#connecting;
  }

  #failed(error: unknown, warn = true): void {
    this.#errors++;
    if (!this.#healthy || !warn) return;
    this.#healthy = false;
    this.#warn(`Redis cache unavailable, reading from the database: ${String(error)}`);
  }
}
