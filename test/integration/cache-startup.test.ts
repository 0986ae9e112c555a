import Redis from 'ioredis';
import { LruCacheStore, RedisCacheStore, TieredCacheStore, type CacheStore } from '../../src';
import { uniquePrefix } from '../support/cache-stores';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS, REDIS_AVAILABLE, REDIS_URL } from '../support/servers';

const KINDS = REDIS_AVAILABLE ? (['lru', 'redis', 'tiered'] as const) : (['lru'] as const);
const combos = DIALECTS.flatMap((dialect) => KINDS.map((kind) => [dialect, kind] as const));

/**
 * A store used the moment it is created, as a service does when it starts: its Redis client is
 * still connecting. The reads wait for that first connection (bounded) instead of failing open,
 * so a read right after a miss is a hit.
 */
describe.each(combos)('the cache right after start-up on %s with the %s store', (dialect, kind) => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());

  it('a read right after a miss is a hit (0 queries), before the client was ever ready', async () => {
    const { id } = await new EmployeeRepository(db.dataSource).create({
      name: 'A',
      email: `a${Date.now()}@x.io`,
    });
    const clients: Redis[] = [];
    let store: CacheStore;
    let close = async () => {};
    if (kind === 'lru') {
      store = new LruCacheStore();
    } else {
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      clients.push(client);
      expect(client.status).not.toBe('ready');
      const l2 = new RedisCacheStore(client, { keyPrefix: uniquePrefix(), commandTimeoutMs: 2000 });
      if (kind === 'redis') {
        store = l2;
      } else {
        const tiered = new TieredCacheStore(new LruCacheStore(), l2, {
          channel: `${l2.keyPrefix}invalidations`,
        });
        store = tiered;
        close = () => tiered.close();
      }
    }
    try {
      const repo = new EmployeeRepository(db.dataSource, { cache: { store, keyPrefix: 'emp' } });
      db.queries.reset();
      expect((await repo.findById(id))?.id).toBe(id);
      expect(db.queries.count).toBe(1);
      expect((await repo.findById(id))?.id).toBe(id);
      expect(db.queries.count).toBe(1);
    } finally {
      await close();
      for (const client of clients) await client.quit();
    }
  });

  it('with Redis down at start-up, reads wait once (at most connectTimeoutMs) and then fail open at once', async () => {
    if (kind === 'lru') return;
    const { id } = await new EmployeeRepository(db.dataSource).create({
      name: 'B',
      email: `b${Date.now()}@x.io`,
    });
    // Nothing listens on port 1: the client keeps trying to connect.
    const client = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    client.on('error', () => undefined);
    const store = new RedisCacheStore(client, {
      keyPrefix: uniquePrefix(),
      connectTimeoutMs: 300,
      warn: () => undefined,
    });
    try {
      const repo = new EmployeeRepository(db.dataSource, { cache: { store, keyPrefix: 'emp' } });
      let start = Date.now();
      expect((await repo.findById(id))?.id).toBe(id);
      expect(Date.now() - start).toBeLessThan(1_500);
      start = Date.now();
      for (let i = 0; i < 5; i++) expect((await repo.findById(id))?.id).toBe(id);
      expect(Date.now() - start).toBeLessThan(250);
    } finally {
      client.disconnect();
    }
  });
});
