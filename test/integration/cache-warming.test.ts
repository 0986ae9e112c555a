import { QueryUsageTracker } from '../../src/warming/query-usage-tracker';
import { canonicalSpec } from '../../src/cache/query-spec';
import { InProcessWarmingCoordination } from '../../src/cache/in-process-coordination';
import { RedisWarmingCoordination } from '../../src/cache/redis-warming-coordination';
import type { WarmingCoordination } from '../../src';
import {
  CONTRACT_STORE_KINDS,
  nodeRedisClient,
  openStore,
  redisClient,
  uniquePrefix,
  type OpenStore,
} from '../support/cache-stores';
import type { NodeRedisClient } from '../support/node-redis-client';
import { NodeRedisWarmingCoordination } from '../support/node-redis-warming-coordination';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS, REDIS_AVAILABLE } from '../support/servers';

const spec = (department: string, tenant?: string) =>
  canonicalSpec({ op: 'count', tenant, args: { filters: { department } } });

describe('QueryUsageTracker', () => {
  // node-redis: the coordination of the store written outside the library.
  const backends = REDIS_AVAILABLE
    ? (['in process', 'redis', 'node-redis'] as const)
    : (['in process'] as const);

  describe.each(backends)('%s', (backend) => {
    let now = 1_000_000_000;
    const clients: ReturnType<typeof redisClient>[] = [];
    let nodeRedis: NodeRedisClient | undefined;
    beforeAll(async () => {
      if (backend === 'node-redis') nodeRedis = await nodeRedisClient();
    });
    afterAll(async () => {
      for (const client of clients) await client.quit();
      await nodeRedis?.close();
    });
    const coordination = (keyPrefix: string): WarmingCoordination => {
      if (backend === 'in process') return new InProcessWarmingCoordination({});
      if (backend === 'node-redis') return new NodeRedisWarmingCoordination(nodeRedis!, keyPrefix);
      const redis = redisClient();
      clients.push(redis);
      return new RedisWarmingCoordination(redis, keyPrefix);
    };
    const tracker = (namespace = 'emp', keyPrefix = uniquePrefix()) => {
      return new QueryUsageTracker({
        namespace,
        coordination: coordination(keyPrefix),
        windowSeconds: 60,
        now: () => now,
      });
    };

    it('counts each spec per tenant and selects the top N above the minimum', async () => {
      const t = tracker();
      for (let i = 0; i < 9; i++) t.record(spec('eng'));
      for (let i = 0; i < 5; i++) t.record(spec('ops'));
      for (let i = 0; i < 7; i++) t.record(spec('eng', 'acme'));
      for (let i = 0; i < 2; i++) t.record(spec('rare'));
      const top = await t.popular(2, 3);
      expect(top.map((q) => [q.tenant, q.count])).toEqual([
        [undefined, 9],
        ['acme', 7],
      ]);
      expect(top[0]).toMatchObject({ op: 'count', args: { filters: { department: 'eng' } } });
      expect((await t.popular(10, 3)).map((q) => q.count)).toEqual([9, 7, 5]);
    });

    it('forgets a query after two windows without use', async () => {
      const t = tracker();
      for (let i = 0; i < 6; i++) t.record(spec('old'));
      expect(await t.popular(10, 1)).toHaveLength(1);
      now += 60_000; // the next window still counts the previous one
      expect((await t.popular(10, 1))[0]!.count).toBe(6);
      now += 60_000;
      expect(await t.popular(10, 1)).toEqual([]);
    });

    if (backend !== 'in process') {
      it('shares counts between instances', async () => {
        const prefix = uniquePrefix();
        const a = tracker('emp', prefix);
        const b = tracker('emp', prefix);
        for (let i = 0; i < 3; i++) a.record(spec('eng'));
        for (let i = 0; i < 4; i++) b.record(spec('eng'));
        await a.flush();
        expect((await b.popular(1, 1))[0]!.count).toBe(7);
      });
    }
  });
});

const combos = DIALECTS.flatMap((dialect) =>
  CONTRACT_STORE_KINDS.map((kind) => [dialect, kind] as const),
);

describe.each(combos)('cache warming on %s with the %s store', (dialect, kind) => {
  let db: TestDataSource;
  let open: OpenStore;
  const extra: OpenStore[] = [];

  const repository = (store = open) =>
    new EmployeeRepository(db.dataSource, {
      cache: {
        store: store.store,
        keyPrefix: 'emp',
        warming: {
          enabled: true,
          minUsageCount: 3,
          popularQueriesLimit: 2,
          warmIntervalSeconds: 60,
        },
      },
    });

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    open = await openStore(kind);
  });
  afterEach(async () => {
    await open.close();
    for (const store of extra.splice(0)) await store.close();
  });

  it('re-runs the popular queries so that they are hits again after a write', async () => {
    const repo = repository();
    const { id } = await repo.create({ name: 'W', email: 'w@x.com', department: 'eng', salary: 1 });
    for (let i = 0; i < 4; i++) {
      await repo.count({ department: 'eng' });
      await repo.findById(id);
    }
    await repo.list({ filters: { department: 'ops' } }); // used once: below minUsageCount
    const popular = await repo.getPopularQueries();
    expect(popular.map((q) => q.op).sort()).toEqual(['count', 'findById']);

    await repo.update(id, { salary: 2 }); // invalidates both entries
    expect(await repo.shouldWarmCache()).toBe(true);
    const report = await repo.warmCache();
    expect(report).toMatchObject({ warmed: 2, failed: 0 });
    expect(await repo.shouldWarmCache()).toBe(false);

    const before = db.queries.count;
    expect(await repo.count({ department: 'eng' })).toBe(1);
    expect((await repo.findById(id))!.salary).toBe(2);
    expect(db.queries.count - before).toBe(0);
    const metrics = repo.cacheMetrics()!;
    expect(metrics.warm.runs).toBe(1);
    expect(metrics.warm.queriesWarmed).toBe(2);
    expect(metrics.warm.lastDurationMs).toBeGreaterThanOrEqual(0);
    // Warming entries that are hits (in L1 too) refreshes them rather than failing.
    expect(await repo.warmCache()).toMatchObject({ warmed: 2, failed: 0 });
    // Four reads before and one after the first warm; the warmer's own re-runs are not usage.
    expect((await repo.getPopularQueries()).map((q) => q.count)).toEqual([5, 5]);
  });

  it('warms each query for its own tenant', async () => {
    let tenant = 'a';
    const scoped = new EmployeeRepository(db.dataSource, {
      tenant: { column: 'tenantId', resolve: () => tenant },
      cache: { store: open.store, keyPrefix: 'emp', warming: { enabled: true, minUsageCount: 2 } },
    });
    await scoped.create({ name: 'A', email: 'a@x.com', department: 'eng' });
    tenant = 'b';
    await scoped.create({ name: 'B1', email: 'b1@x.com', department: 'eng' });
    await scoped.create({ name: 'B2', email: 'b2@x.com', department: 'eng' });
    for (const t of ['a', 'b', 'a', 'b']) {
      tenant = t;
      await scoped.count({ department: 'eng' });
    }
    await scoped.invalidateCache();
    await scoped.warmCache();
    const before = db.queries.count;
    tenant = 'a';
    expect(await scoped.count({ department: 'eng' })).toBe(1);
    tenant = 'b';
    expect(await scoped.count({ department: 'eng' })).toBe(2);
    expect(db.queries.count - before).toBe(0);
  });

  it('lets one instance warm per interval when several race', async () => {
    const other = kind === 'lru' ? open : await openStore(kind, { prefix: open.prefix });
    if (other !== open) extra.push(other);
    const [a, b] = [repository(), repository(other)];
    const results = await Promise.all([a.startCacheWarming(), b.startCacheWarming()]);
    a.stopCacheWarming();
    b.stopCacheWarming();
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await a.shouldWarmCache()).toBe(false);
  });

  it('reports whether usage and the warm lock are shared by the fleet or by this process', () => {
    // The in-process LRU offers no coordination; every Redis-backed store offers its own.
    const scope = kind === 'lru' ? 'process' : 'fleet';
    expect(repository().cacheMetrics()!.warm.coordination).toBe(scope);
  });

  it('does not schedule warming unless enabled', async () => {
    const repo = new EmployeeRepository(db.dataSource, {
      cache: { store: open.store, keyPrefix: 'emp' },
    });
    expect(await repo.startCacheWarming()).toBeUndefined();
    expect(await repo.shouldWarmCache()).toBe(false);
  });
});
