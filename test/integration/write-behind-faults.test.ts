import Redis from 'ioredis';
import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  WriteBehindAppliedKeysMigration,
  WriteBehindDrainer,
  WriteBehindError,
  type EnqueueReceipt,
} from '../../src';
import { uniquePrefix } from '../support/cache-stores';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { OwnRedis } from '../support/own-redis';
import { REDIS_AVAILABLE, REDIS_URL, TARGETS } from '../support/servers';
import { TcpProxy } from '../support/tcp-proxy';
import { orderOf, WbOrder, WbOrderRepository } from '../support/wb-order';

const redisSuite = REDIS_AVAILABLE ? describe : describe.skip;

async function openOrders(target: (typeof TARGETS)[number]): Promise<TestDataSource> {
  const db = await openDataSource(target, [WbOrder]);
  const runner = db.dataSource.createQueryRunner();
  await new WriteBehindAppliedKeysMigration().up(runner);
  await runner.release();
  return db;
}

async function storedCodes(dataSource: DataSource): Promise<string[]> {
  const rows = await dataSource.getRepository(WbOrder).find({ select: { code: true } });
  return rows.map((r) => r.code).sort();
}

/** Polls `check` until it holds (or ~20 s pass), so that no test sleeps to synchronise. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

redisSuite('write-behind across a Redis crash (appendonly yes, appendfsync always)', () => {
  // Its own server, on this helper's port range: a crash of the shared one would hit everyone.
  const server = new OwnRedis(6480, [
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
  ]);
  let db: TestDataSource;
  let redis: Redis;

  beforeAll(async () => {
    await server.start();
    db = await openOrders(TARGETS.includes('postgres') ? 'postgres' : 'sqlite');
    // No offline queue: a command sent while Redis is down fails at once instead of waiting.
    redis = new Redis(server.url, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
      enableOfflineQueue: false,
    });
    redis.on('error', () => undefined);
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    await server.crash();
    redis?.disconnect();
    await db?.dataSource.destroy();
  });

  it('no acknowledged entry is lost when Redis is killed mid-run and restarted; a retried unknown one is stored once', async () => {
    const prefix = uniquePrefix();
    const repo = new WbOrderRepository(db.dataSource, {
      writeBehind: { redis, keyPrefix: prefix },
    });
    const drainerRedis = redis.duplicate();
    drainerRedis.on('error', () => undefined);
    const drainer = new WriteBehindDrainer({
      redis: drainerRedis,
      repositories: [repo],
      blockMs: 20,
    });
    drainer.start();
    const acknowledged: EnqueueReceipt[] = [];
    let unknown = 0;
    for (let i = 0; i < 400; i++) {
      if (i === 200) await server.crash();
      if (i === 230) await server.start();
      // A call Redis did not answer may or may not have queued its entry: send it again.
      for (;;) {
        try {
          acknowledged.push(
            await repo.enqueueCreate(orderOf(i * 200 + 1), { idempotencyKey: `r-${i}` }),
          );
          break;
        } catch (error) {
          expect(error).toBeInstanceOf(WriteBehindError);
          expect(error).toMatchObject({ code: 'WRITE_BEHIND_ENQUEUE_FAILED', outcome: 'unknown' });
          unknown++;
          if (i >= 230) await new Promise((resolve) => setTimeout(resolve, 20));
          else break; // while Redis is down, move on; the key is tried again below
        }
      }
    }
    expect(unknown).toBeGreaterThan(0);
    const missing = Array.from({ length: 400 }, (_, i) => i).filter(
      (i) => !acknowledged.some((r) => r.idempotencyKey === `r-${i}`),
    );
    for (const i of missing) {
      acknowledged.push(
        await repo.enqueueCreate(orderOf(i * 200 + 1), { idempotencyKey: `r-${i}` }),
      );
    }
    expect(acknowledged).toHaveLength(400);
    await until(async () => (await storedCodes(db.dataSource)).length >= 400);
    await drainer.stop();
    const expected = Array.from({ length: 400 }, (_, i) => orderOf(i * 200 + 1).code).sort();
    expect(await storedCodes(db.dataSource)).toEqual(expected);
    expect((await drainer.metrics()).entities.WbOrder).toMatchObject({
      pending: 0,
      deadLetters: 0,
    });
    drainerRedis.disconnect();
  }, 60_000);
});

describe.each(TARGETS.filter((t) => t !== 'sqlite'))(
  'write-behind across a database outage on %s',
  (target) => {
    let db: TestDataSource;
    let proxy: TcpProxy;
    let viaProxy: DataSource;
    let redis: Redis;

    beforeAll(async () => {
      db = await openOrders(target);
      const options: Record<string, unknown> = { ...db.dataSource.options };
      for (const key of ['entities', 'logger', 'synchronize', 'dropSchema']) delete options[key];
      const url = new URL(options.url as string);
      proxy = new TcpProxy({ host: url.hostname, port: Number(url.port) });
      await proxy.start();
      url.port = String(proxy.port);
      viaProxy = await new DataSource({
        ...options,
        url: url.toString(),
        entities: [WbOrder],
      } as unknown as DataSourceOptions).initialize();
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      await redis.quit();
      await viaProxy.destroy().catch(() => undefined);
      await proxy.stop();
      await db.dataSource.destroy();
    });

    (REDIS_AVAILABLE ? it : it.skip)(
      'entries wait while the connections are cut and are drained after recovery, none lost or doubled',
      async () => {
        const prefix = uniquePrefix();
        const repo = new WbOrderRepository(viaProxy, { writeBehind: { redis, keyPrefix: prefix } });
        const drainerRedis = redis.duplicate();
        const drainer = new WriteBehindDrainer({
          redis: drainerRedis,
          repositories: [repo],
          blockMs: 20,
          batchSize: 50,
        });
        let cut = false;
        try {
          for (let i = 0; i < 100; i++) await repo.enqueueCreate(orderOf(i * 200 + 2));
          drainer.start();
          await until(async () => (await storedCodes(db.dataSource)).length > 0);
          await proxy.stop();
          cut = true;
          for (let i = 100; i < 300; i++) await repo.enqueueCreate(orderOf(i * 200 + 2));
          // While the database is away, the entries wait in Redis.
          await until(async () => (await drainer.metrics()).failedBatches > 0);
          const during = await drainer.metrics();
          expect(during.entities.WbOrder!.pending).toBeGreaterThan(0);
          expect(during.entities.WbOrder!.deadLetters).toBe(0);
          await proxy.start();
          cut = false;
          await until(async () => (await drainer.metrics()).entities.WbOrder!.pending === 0);
          const expected = Array.from({ length: 300 }, (_, i) => orderOf(i * 200 + 2).code);
          expect(await storedCodes(db.dataSource)).toEqual(expected.sort());
          const metrics = await drainer.metrics();
          expect(metrics.entities.WbOrder).toMatchObject({ pending: 0, deadLetters: 0 });
          expect(metrics.drained + metrics.duplicates).toBeGreaterThanOrEqual(300);
        } finally {
          if (cut) await proxy.start();
          await drainer.stop();
          drainerRedis.disconnect();
          const keys = await redis.keys(`${prefix}*`);
          if (keys.length > 0) await redis.del(...keys);
        }
      },
      60_000,
    );
  },
);
