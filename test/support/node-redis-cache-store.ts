import type {
  CacheInvalidation,
  CacheLease,
  CacheRead,
  CacheRef,
  CacheTier,
  SharedCacheTier,
  StoreMetrics,
  TierSubscriber,
  TierSubscription,
  WarmingCoordination,
} from '../../src';
import type { NodeRedisClient } from './node-redis-client';
import { NodeRedisWarmingCoordination } from './node-redis-warming-coordination';

/*
 * A shared store on a second Redis client library (node-redis), written as a user of the package
 * would write one: only the public entry is imported, and none of RedisCacheStore's code or key
 * layout is reused. It proves that the contract suite, TieredCacheStore and warming take any
 * store with these capabilities. Deliberately simple: no command timeout, no memory of
 * invalidations lost in an outage (a failed command is counted and the read goes to the database).
 *
 * Keys: `<prefix>{<namespace>}:gen` is a hash of the namespace's two generations (`q` for queries
 * and every fill, `r` for rows); `<prefix>{<namespace>}:e:<r|q>:<key>` holds `<gen>|<value>`, the
 * generation of its scope at fill time and the value as tagged JSON.
 */

/** KEYS: gen hash, entry. ARGV: initial generation. → {query gen, row gen, stored or nil} */
const READ = `
redis.call('HSETNX', KEYS[1], 'q', ARGV[1])
redis.call('HSETNX', KEYS[1], 'r', ARGV[1])
local gens = redis.call('HMGET', KEYS[1], 'q', 'r')
return {gens[1], gens[2], redis.call('GET', KEYS[2])}
`;

/** KEYS: gen hash, entry. ARGV: leased query gen, stored value, ttl in ms. → 1 if stored */
const FILL = `
if redis.call('HGET', KEYS[1], 'q') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** KEYS: gen hash, row entries…. ARGV: '1' to move the row gen too, initial generation. */
const INVALIDATE = `
redis.call('HSETNX', KEYS[1], 'q', ARGV[2])
redis.call('HSETNX', KEYS[1], 'r', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'q', 1)
if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[1], 'r', 1) end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`;

interface Lease extends CacheLease {
  readonly q: string;
  readonly r: string;
}

export interface NodeRedisCacheStoreOptions {
  /** The start of every key. @default 'nr:' */
  readonly prefix?: string;
}

export class NodeRedisCacheStore implements SharedCacheTier {
  readonly tiers: readonly CacheTier[] = ['l2'];
  readonly coordination: WarmingCoordination;
  readonly #prefix: string;
  readonly #hits = { l1: 0, l2: 0 };
  readonly #misses = { l1: 0, l2: 0 };
  #errors = 0;

  constructor(
    private readonly client: NodeRedisClient,
    options: NodeRedisCacheStoreOptions = {},
  ) {
    this.#prefix = options.prefix ?? 'nr:';
    this.coordination = new NodeRedisWarmingCoordination(client, this.#prefix);
  }

  async read(ref: CacheRef): Promise<CacheRead> {
    const reply = (await this.#eval(
      READ,
      [this.#gens(ref.namespace), this.#entry(ref)],
      [start()],
    )) as [string, string, string | null] | undefined;
    if (!reply) return { hit: false, lease: undefined };
    const [q, r, stored] = reply;
    const lease: Lease = { q, r, flightKey: `nr:${q}` };
    const separator = stored?.indexOf('|') ?? -1;
    if (stored && separator >= 0 && stored.slice(0, separator) === (ref.scope === 'row' ? r : q)) {
      this.#hits.l2++;
      return { hit: true, value: decode(stored.slice(separator + 1)), lease, tier: 'l2' };
    }
    this.#misses.l2++;
    return { hit: false, lease };
  }

  async fill(ref: CacheRef, lease: CacheLease, value: unknown, ttlMs: number): Promise<boolean> {
    const { q, r } = lease as Lease;
    const stored = `${ref.scope === 'row' ? r : q}|${encode(value)}`;
    const ttl = String(Math.max(1, Math.round(ttlMs)));
    const keys = [this.#gens(ref.namespace), this.#entry(ref)];
    return (await this.#eval(FILL, keys, [q, stored, ttl])) === 1;
  }

  async invalidate(change: CacheInvalidation): Promise<void> {
    const { namespace, rowKeys } = change;
    const keys = [this.#gens(namespace)];
    for (const key of rowKeys ?? []) keys.push(this.#entry({ namespace, scope: 'row', key }));
    await this.#eval(INVALIDATE, keys, [rowKeys === undefined ? '1' : '0', start()]);
  }

  async clear(namespace: string, pattern?: string): Promise<number> {
    const match = `${escapeGlob(`${this.#prefix}{${namespace}}`)}:e:[rq]:${pattern ?? '*'}`;
    let removed = 0;
    try {
      for await (const keys of this.client.scanIterator({ MATCH: match, COUNT: 500 })) {
        if (keys.length > 0) removed += await this.client.unlink(keys);
      }
    } catch {
      this.#errors++;
    }
    // A fill leased before the clear must not bring a cleared entry back.
    await this.invalidate({ namespace, rowKeys: pattern === undefined ? undefined : [] });
    return removed;
  }

  metrics(): StoreMetrics {
    return { hits: { ...this.#hits }, misses: { ...this.#misses }, errors: this.#errors };
  }

  async publish(channel: string, message: string): Promise<boolean> {
    try {
      await this.client.publish(channel, message);
      return true;
    } catch {
      this.#errors++;
      return false;
    }
  }

  subscribe(channel: string, subscriber: TierSubscriber): TierSubscription {
    const connection = this.client.duplicate();
    let subscribed = false;
    let up = false;
    const down = () => {
      if (up) subscriber.down();
      up = false;
    };
    connection.on('error', down);
    connection.on('end', down);
    connection.on('reconnecting', down);
    // node-redis subscribes again by itself after a reconnection.
    connection.on('ready', () => {
      if (subscribed && !up) {
        up = true;
        subscriber.up();
      }
    });
    void (async () => {
      try {
        await connection.connect();
        await connection.subscribe(channel, (message) => subscriber.message(message));
        subscribed = up = true;
        subscriber.up();
      } catch {
        down();
      }
    })();
    return {
      close: async () => {
        down();
        if (connection.isOpen) await connection.close().catch(() => connection.destroy());
      },
    };
  }

  async #eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.client.eval(script, { keys, arguments: args });
    } catch {
      this.#errors++;
      return undefined;
    }
  }

  #gens(namespace: string): string {
    return `${this.#prefix}{${namespace}}:gen`;
  }

  #entry(ref: CacheRef): string {
    return `${this.#prefix}{${ref.namespace}}:e:${ref.scope === 'row' ? 'r' : 'q'}:${ref.key}`;
  }
}

/** A first generation no earlier one of the same key can equal (a lost hash restarts elsewhere). */
function start(): string {
  return String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** JSON that keeps Date, bigint and Buffer; user objects with a `~` key travel as entries. */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, json: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { '~': 'date', v: raw.getTime() };
    if (typeof raw === 'bigint') return { '~': 'bigint', v: raw.toString() };
    if (Buffer.isBuffer(raw)) return { '~': 'buffer', v: raw.toString('base64') };
    if (isRecord(json) && Object.hasOwn(json, '~'))
      return { '~': 'object', v: Object.entries(json) };
    return json;
  });
}

function decode(text: string): unknown {
  return JSON.parse(text, (_key, json: unknown) => {
    if (!isRecord(json) || !Object.hasOwn(json, '~')) return json;
    const { '~': tag, v } = json as { '~': string; v: unknown };
    if (tag === 'date') return new Date(v as number);
    if (tag === 'bigint') return BigInt(v as string);
    if (tag === 'buffer') return Buffer.from(v as string, 'base64');
    return Object.fromEntries(v as [string, unknown][]);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
