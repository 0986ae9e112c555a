import Redis from 'ioredis';
import {
  LruCacheStore,
  RedisCacheStore,
  TieredCacheStore,
  type CacheStore,
  type RedisCacheStoreOptions,
} from '../../src';
import { NodeRedisCacheStore } from './node-redis-cache-store';
import { createNodeRedisClient, type NodeRedisClient } from './node-redis-client';
import { REDIS_AVAILABLE, REDIS_URL } from './servers';

/** `node-redis`: a store written outside the library (test/support/node-redis-cache-store.ts). */
export type StoreKind = 'lru' | 'redis' | 'tiered' | 'node-redis' | 'tiered-node-redis';

/** The stores the cache suites run with: the Redis ones only where Redis answered the probe. */
export const STORE_KINDS: readonly StoreKind[] = REDIS_AVAILABLE
  ? ['lru', 'redis', 'tiered']
  : ['lru'];

/**
 * The library's stores and one written outside it on another Redis client, alone and as the L2 of
 * a TieredCacheStore: the store contract and warming run over all of them.
 */
export const CONTRACT_STORE_KINDS: readonly StoreKind[] = REDIS_AVAILABLE
  ? [...STORE_KINDS, 'node-redis', 'tiered-node-redis']
  : STORE_KINDS;

let sequence = 0;

/** A key prefix no other test (or concurrent test run) uses. */
export function uniquePrefix(): string {
  return `tbrtest:${process.pid}:${Date.now().toString(36)}:${sequence++}:`;
}

export function redisClient(url = REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** A connected node-redis client. */
export async function nodeRedisClient(url = REDIS_URL): Promise<NodeRedisClient> {
  const client = createNodeRedisClient(url);
  client.on('error', () => undefined); // reconnects by itself; the store counts failed commands
  await client.connect();
  return client;
}

export interface OpenStore {
  readonly store: CacheStore;
  readonly prefix: string;
  close(): Promise<void>;
}

/** A fresh store of `kind`; Redis-backed ones get their own client and key prefix. */
export async function openStore(
  kind: StoreKind,
  options: { prefix?: string; redis?: Omit<RedisCacheStoreOptions, 'keyPrefix'> } = {},
): Promise<OpenStore> {
  const prefix = options.prefix ?? uniquePrefix();
  if (kind === 'lru')
    return { store: new LruCacheStore({ max: 1000 }), prefix, close: async () => {} };
  if (kind === 'node-redis' || kind === 'tiered-node-redis')
    return openNodeRedisStore(kind, prefix);
  const client = redisClient();
  // A generous timeout: a loaded test machine must not turn hits into fail-open misses.
  const l2 = new RedisCacheStore(client, {
    keyPrefix: prefix,
    commandTimeoutMs: 2000,
    ...options.redis,
  });
  if (kind === 'redis') {
    await waitReady(client);
    return { store: l2, prefix, close: () => client.quit().then(() => undefined) };
  }
  await waitReady(client);
  return tieredOver(l2, prefix, () => client.quit());
}

async function openNodeRedisStore(
  kind: 'node-redis' | 'tiered-node-redis',
  prefix: string,
): Promise<OpenStore> {
  const client = await nodeRedisClient();
  const l2 = new NodeRedisCacheStore(client, { prefix });
  if (kind === 'node-redis') return { store: l2, prefix, close: () => client.close() };
  return tieredOver(l2, prefix, () => client.close());
}

/** An in-process L1 over `l2`, ready; closing it closes the tier, then the client. */
async function tieredOver(
  l2: ConstructorParameters<typeof TieredCacheStore>[1],
  prefix: string,
  closeClient: () => Promise<unknown>,
): Promise<OpenStore> {
  const tiered = new TieredCacheStore(new LruCacheStore({ max: 1000 }), l2, {
    channel: `${prefix}invalidations`,
  });
  await tiered.ready();
  return {
    store: tiered,
    prefix,
    close: async () => {
      await tiered.close();
      await closeClient();
    },
  };
}

async function waitReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
}
