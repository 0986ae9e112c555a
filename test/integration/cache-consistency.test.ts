import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisCacheStore, type CacheStore } from '../../src';
import { openStore, STORE_KINDS, uniquePrefix, type OpenStore } from '../support/cache-stores';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS, REDIS_AVAILABLE, REDIS_URL } from '../support/servers';
import { TcpProxy } from '../support/tcp-proxy';

const combos = DIALECTS.flatMap((dialect) => STORE_KINDS.map((kind) => [dialect, kind] as const));
const redisOnly = REDIS_AVAILABLE ? describe : describe.skip;

/**
 * The race stress test. Writers update the same rows while readers read them through a second
 * repository (another store instance in the tiered case). A logical clock orders events: a read
 * that starts after a write returned must see that write's version or a newer one.
 */
describe.each(combos)(
  'no stale read under concurrent writes on %s with the %s store',
  (dialect, kind) => {
    let db: TestDataSource;
    const opened: OpenStore[] = [];
    beforeAll(async () => {
      db = await openDataSource(dialect, [Employee], { poolSize: 10 });
    });
    afterAll(async () => {
      for (const store of opened) await store.close();
      await db.dataSource.destroy();
    });

    it('never returns an older version than a write that completed before the read began', async () => {
      const writerStore = await openStore(kind);
      opened.push(writerStore);
      // Readers use another store on the same Redis/channel: another instance of the service.
      const readerStore =
        kind === 'lru' ? writerStore : await openStore(kind, { prefix: writerStore.prefix });
      if (readerStore !== writerStore) opened.push(readerStore);
      const cache = (store: CacheStore) => ({ store, keyPrefix: 'emp' });
      const writer = new EmployeeRepository(db.dataSource, { cache: cache(writerStore.store) });
      const reader = new EmployeeRepository(db.dataSource, { cache: cache(readerStore.store) });

      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push((await writer.create({ name: `R${i}`, email: `race${i}@x.com`, salary: 0 })).id);
      }
      let clock = 0;
      const completed = new Map<number, { version: number; at: number }[]>(
        ids.map((id) => [id, []]),
      );
      const reads: { id: number; start: number; version: number }[] = [];
      let writing = true;

      const writers = ids.flatMap((id) =>
        [0, 1].map(async () => {
          for (let i = 0; i < 15; i++) {
            await new Promise((resolve) => setImmediate(resolve));
            const updated = await writer.update(id, { salary: i });
            completed.get(id)!.push({ version: updated.version, at: ++clock });
          }
        }),
      );
      const readers = Array.from({ length: 6 }, async (_, r) => {
        while (writing) {
          // An in-process hit resolves without I/O; yield so the writers' I/O gets its turn.
          await new Promise((resolve) => setImmediate(resolve));
          const start = ++clock;
          if (r % 2 === 0) {
            const id = ids[r % ids.length]!;
            const row = await reader.findById(id);
            reads.push({ id, start, version: row!.version });
          } else {
            for (const row of await reader.list({ filters: { id__in: ids } })) {
              reads.push({ id: row.id, start, version: row.version });
            }
          }
        }
      });
      try {
        await Promise.all(writers);
      } finally {
        writing = false;
        await Promise.allSettled(readers);
      }

      expect(reads.length).toBeGreaterThan(30);
      const stale = reads.filter((read) => {
        const before = completed.get(read.id)!.filter((w) => w.at < read.start);
        const newest = Math.max(0, ...before.map((w) => w.version));
        return read.version < newest;
      });
      expect(stale).toEqual([]);
      // At the end, the cache agrees with the table.
      for (const id of ids) {
        const [raw] = await db.dataSource.query(`SELECT version FROM employees WHERE id = ${id}`);
        expect((await reader.findById(id))!.version).toBe(
          Number((raw as { version: number }).version),
        );
      }
      const metrics = reader.cacheMetrics()!;
      expect(metrics.hits.l1 + metrics.hits.l2 + metrics.singleFlightJoins).toBeGreaterThan(0);
    });
  },
);

redisOnly('Redis outage (fail-open)', () => {
  let db: TestDataSource;
  let proxy: TcpProxy;
  let client: Redis;
  let repo: EmployeeRepository;
  let store: RedisCacheStore;
  const warnings: string[] = [];

  beforeAll(async () => {
    db = await openDataSource('sqlite', [Employee]);
    const target = new URL(REDIS_URL);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    await proxy.start();
    client = new Redis({
      host: '127.0.0.1',
      port: proxy.port,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 20,
    });
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('ready', resolve));
    store = new RedisCacheStore(client, {
      keyPrefix: uniquePrefix(),
      commandTimeoutMs: 50,
      warn: (m) => warnings.push(m),
    });
    repo = new EmployeeRepository(db.dataSource, { cache: { store, keyPrefix: 'emp' } });
  });
  afterAll(async () => {
    client.disconnect();
    await proxy.stop();
    await db.dataSource.destroy();
  });

  it('reads keep working while Redis is gone, and hits resume when it is back', async () => {
    const { id } = await repo.create({ name: 'O', email: 'o@x.com', salary: 1 });
    await repo.findById(id);
    await repo.findById(id); // now cached

    await proxy.stop();
    expect((await repo.findById(id))!.salary).toBe(1);
    // A write during the outage: its invalidation cannot reach Redis.
    await repo.update(id, { salary: 2 });
    expect((await repo.findById(id))!.salary).toBe(2);
    expect(await repo.count()).toBe(1);
    const during = repo.cacheMetrics()!;
    expect(during.errors).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes('unavailable'))).toHaveLength(1);

    await proxy.start();
    await new Promise((resolve) => client.once('ready', resolve));
    // The entry cached before the outage is stale; the undelivered invalidation is replayed first.
    expect((await repo.findById(id))!.salary).toBe(2);
    const queriesBefore = db.queries.count;
    await repo.findById(id); // filled again…
    await new Promise((resolve) => setImmediate(resolve));
    await repo.findById(id);
    expect((await repo.findById(id))!.salary).toBe(2);
    expect(db.queries.count - queriesBefore).toBeLessThanOrEqual(1);
    expect(repo.cacheMetrics()!.hits.l2).toBeGreaterThan(during.hits.l2);
    expect(warnings.some((w) => w.includes('recovered'))).toBe(true);
  });

  it('a slow Redis times out to the database', async () => {
    const { id } = await repo.create({ name: 'S', email: 's@x.com', salary: 1 });
    const errors = repo.cacheMetrics()!.errors;
    proxy.delayMs = 300;
    try {
      const before = db.queries.count;
      expect((await repo.findById(id))!.salary).toBe(1);
      expect(db.queries.count - before).toBe(1);
      expect(repo.cacheMetrics()!.errors).toBeGreaterThan(errors);
    } finally {
      proxy.delayMs = 0;
    }
  });
});

/** Two service instances in two processes, each with its own TieredCacheStore on one Redis. */
redisOnly.each(DIALECTS)('across processes on %s', (dialect) => {
  let db: TestDataSource;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const sqlitePath = join(mkdtempSync(join(tmpdir(), 'tbr-xproc-')), 'db.sqlite');
    db = await openDataSource(dialect, [Employee], { sqlitePath });
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await db.dataSource.destroy();
  });

  function spawn(prefix: string) {
    // The child builds its own DataSource on the same database; the schema already exists.
    const options: Record<string, unknown> = { ...db.dataSource.options };
    for (const key of ['entities', 'logger', 'synchronize', 'dropSchema']) delete options[key];
    const child = fork(join(__dirname, '..', 'support', 'cache-child.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: {
        ...process.env,
        CHILD_DATA_SOURCE: JSON.stringify(options),
        CHILD_REDIS_URL: REDIS_URL,
        CHILD_PREFIX: prefix,
      },
    });
    children.push(child);
    let seq = 0;
    const waiting = new Map<number, (value: unknown) => void>();
    child.on('message', (m: { seq: number; result: unknown }) => waiting.get(m.seq)?.(m.result));
    const call = (op: string, args: Record<string, unknown> = {}): Promise<unknown> =>
      new Promise((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve);
        child.send({ seq: id, op, ...args });
      });
    const ready = new Promise((resolve) => waiting.set(0, resolve));
    return { call, ready };
  }

  it('a write in one process is seen by a read in the other', async () => {
    const repo = new EmployeeRepository(db.dataSource);
    const { id } = await repo.create({ name: 'X', email: 'x@x.com', salary: 10 });
    const prefix = uniquePrefix();
    const a = spawn(prefix);
    const b = spawn(prefix);
    await Promise.all([a.ready, b.ready]);

    type Read = { salary: number; queries: number };
    expect(await a.call('findById', { id })).toMatchObject({ salary: 10 });
    expect(await b.call('findById', { id })).toMatchObject({ salary: 10 });
    // B now answers from its own L1 without a query.
    expect(((await b.call('findById', { id })) as Read).queries).toBe(0);
    await a.call('update', { id, salary: 20 });
    expect(await b.call('findById', { id })).toMatchObject({ salary: 20 });
    await b.call('update', { id, salary: 30 });
    expect(await a.call('findById', { id })).toMatchObject({ salary: 30 });
    const metricsB = (await b.call('metrics')) as { hits: { l1: number } };
    expect(metricsB.hits.l1).toBeGreaterThan(0);
    await Promise.all([a.call('exit'), b.call('exit')]);
  });
});
