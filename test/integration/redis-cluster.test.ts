import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis, { type Cluster } from 'ioredis';
import {
  LruCacheStore,
  RedisCacheStore,
  TieredCacheStore,
  WriteBehindAppliedKeysMigration,
  WriteBehindDrainer,
  type CacheRef,
} from '../../src';
import { openDataSource } from '../support/data-sources';
import { orderOf, WbOrder, WbOrderRepository } from '../support/wb-order';
import { REDIS_AVAILABLE } from '../support/servers';

const run = promisify(execFile);

/**
 * The Redis stores on a real three-master Redis Cluster, started here from the same redis-server
 * binary the machine runs (the suite needs Redis, so it needs that binary too).
 */
(REDIS_AVAILABLE ? describe : describe.skip)('the Redis stores on Redis Cluster', () => {
  const base = 31_000 + (process.pid % 500) * 3;
  const ports = [base, base + 1, base + 2];
  const servers: ChildProcess[] = [];
  const clients: Cluster[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tbr-cluster-'));
    for (const port of ports) {
      const server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      servers.push(server);
    }
    for (const port of ports) await waitFor(() => run('redis-cli', ['-p', String(port), 'ping']));
    // Right after start a node may still refuse to join; creating the cluster is retried.
    await waitFor(() =>
      run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]),
    );
    await waitFor(async () => {
      const { stdout } = await run('redis-cli', ['-p', String(base), 'cluster', 'info']);
      if (!stdout.includes('cluster_state:ok')) throw new Error('cluster not ready');
    });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const server of servers) server.kill();
  });

  async function cluster(): Promise<Cluster> {
    const client = new Redis.Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
    clients.push(client);
    await new Promise((resolve) => client.once('ready', resolve));
    return client;
  }

  it('reads, fills, refuses a stale fill, invalidates and clears, for entities on several slots', async () => {
    const [a, b] = [await cluster(), await cluster()];
    const tiered = new TieredCacheStore(
      new LruCacheStore(),
      new RedisCacheStore(a, { keyPrefix: 'c:', commandTimeoutMs: 2000 }),
      { channel: 'c:invalidations' },
    );
    const other = new RedisCacheStore(b, { keyPrefix: 'c:', commandTimeoutMs: 2000 });
    await tiered.ready();
    try {
      for (const namespace of ['Employee', 'Order', 'Product', 'Invoice']) {
        const row: CacheRef = { namespace, scope: 'row', key: 'id:1' };
        const first = await tiered.read(row);
        const value = { at: new Date(5), big: 7n };
        expect(await tiered.fill(row, first.lease!, value, 60_000)).toBe(true);
        expect(await other.read(row)).toMatchObject({ hit: true, value });
        const leased = await other.read(row);
        await tiered.invalidate({ namespace, rowKeys: ['id:1'] });
        expect(await other.fill(row, leased.lease!, 'stale', 60_000)).toBe(false);
        expect((await other.read(row)).hit).toBe(false);
        const again = await other.read(row);
        await other.fill(row, again.lease!, value, 60_000);
        expect(await tiered.clear(namespace)).toBe(1);
      }
      expect(tiered.metrics().errors + other.metrics().errors).toBe(0);
    } finally {
      await tiered.close();
    }
  });

  it('write-behind: streams on several slots are drained, dead-lettered and answered over the cluster', async () => {
    const [producerClient, drainerClient] = [await cluster(), await cluster()];
    const db = await openDataSource('sqlite', [WbOrder]);
    const runner = db.dataSource.createQueryRunner();
    await new WriteBehindAppliedKeysMigration().up(runner);
    await runner.release();
    const repo = new WbOrderRepository(db.dataSource, {
      writeBehind: { redis: producerClient, keyPrefix: 'wb:', shards: 4 },
    });
    const drainer = new WriteBehindDrainer({
      redis: drainerClient,
      repositories: [repo],
      blockMs: 20,
    });
    try {
      const slots = new Set<number>();
      for (let n = 0; n < 4; n++) {
        slots.add(Number(await producerClient.call('CLUSTER', 'KEYSLOT', `wb:{WbOrder:${n}}`)));
      }
      expect(slots.size).toBe(4);
      // Entry 17 is refused by the database (NOT NULL) and entry 71 repeats entry 70's code.
      for (let i = 0; i < 200; i++) {
        await repo.enqueueCreate(orderOf(i), { idempotencyKey: `c-${i}` });
      }
      drainer.start();
      const awaited = await repo.enqueueCreate(orderOf(1000), { awaitStored: true });
      expect(awaited.code).toBe('o-1000');
      for (let tries = 0; tries < 400; tries++) {
        if ((await drainer.metrics()).entities.WbOrder!.pending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await drainer.stop();
      const rows = await db.dataSource.getRepository(WbOrder).count();
      expect(rows).toBe(200 - 2 + 1);
      const metrics = await drainer.metrics();
      expect(metrics.entities.WbOrder).toMatchObject({ pending: 0, deadLetters: 2 });
      const dead = (await drainer.deadLetters(repo)).map((l) => [l.idempotencyKey, l.code]);
      expect(dead).toContainEqual(['c-17', 'NOT_NULL_VIOLATION']);
      expect(dead.filter(([, code]) => code === 'UNIQUE_VIOLATION')).toHaveLength(1);
    } finally {
      await drainer.stop();
      await db.dataSource.destroy();
    }
  });
});

async function waitFor(probe: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await probe();
      return;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
