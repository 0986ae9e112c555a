/**
 * `npm run bench -- cache`: what caching costs per `findById` call, per dialect, against floors
 * measured in the same run.
 *
 * - L1 hit: a warm entry of an `LruCacheStore`, and of a `TieredCacheStore` (no Redis command).
 * - L2 hit: a `RedisCacheStore` alone, and a `TieredCacheStore` whose L1 holds one entry, so that
 *   every read misses L1 and hits L2 without anything cleared between calls.
 * - Miss: each call reads an id nobody has read before, a true miss on every tier with no write
 *   and no invalidation in between; its fill runs behind the call, as in a service.
 * - Floors: lru-cache `get` of a similar entry, ioredis `GET` + `JSON.parse` of the row's JSON,
 *   `findById` without a cache (with the raw `DataSource.query` SELECT for context), and a
 *   hand-written Redis cache-aside miss.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  BaseRepository,
  dataSourceOptionsFromUrl,
  LruCacheStore,
  RedisCacheStore,
  TieredCacheStore,
  type CacheConfig,
  type CacheMetrics,
  type DialectName,
} from '../../src';
import { BENCH_URLS } from '../dialects';
import type { Measurement, ReportRow } from '../harness';
import { benchEmployeeEntity, BenchCreateDto, BenchUpdateDto } from '../bench-employee';

const CachedEmployee = benchEmployeeEntity('bench_cache_employees');
type CachedEmployee = InstanceType<typeof CachedEmployee>;
const CreateDto = BenchCreateDto;
type CreateDto = BenchCreateDto;
const UpdateDto = BenchUpdateDto;
type UpdateDto = BenchUpdateDto;

type Repo = BaseRepository<CachedEmployee, CreateDto, UpdateDto>;

const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Ids every hit case cycles over (all fit in every L1 but the deliberately tiny one). */
const HOT_IDS = 1000;
/** Cases run interleaved, round by round, so drift on the shared machine hits them alike. */
const ROUNDS = 5;
/** How often the event loop's delay is sampled while measuring. */
const LOOP_RESOLUTION_MS = 10;
/** Unmeasured calls per case before its first round. */
const WARMUP = 200;

/**
 * One measured case. `batch` calls are timed together and the per-call time is the batch time
 * divided by `batch`: sub-microsecond calls need that (a clock read costs about as much as an lru
 * get), and for them the p99 is over batch means. Calls that cross a socket use `batch: 1`, so
 * their p50 and p99 are true per-call latencies.
 */
interface Case {
  readonly name: string;
  readonly batch: number;
  /** A value for a synchronous call, a promise for an asynchronous one. */
  readonly call: () => unknown;
  readonly sync?: boolean;
  /**
   * Throws when the case did not measure what its name says; returns the store errors (Redis
   * commands that failed or timed out) it met.
   */
  readonly verify?: () => number;
  readonly baseline?: string;
}

/** Where a synchronous call's result goes, so the loop cannot be optimised away. */
const sink: { last: unknown } = { last: undefined };

async function timeBatch(c: Case): Promise<number> {
  const start = process.hrtime.bigint();
  if (c.sync) for (let j = 0; j < c.batch; j++) sink.last = c.call();
  else for (let j = 0; j < c.batch; j++) await c.call();
  return Number(process.hrtime.bigint() - start) / 1000;
}

function measurement(name: string, batch: number, batchUs: readonly number[]): Measurement {
  const perCall = batchUs.map((us) => us / batch).sort((a, b) => a - b);
  const totalMs = batchUs.reduce((sum, us) => sum + us, 0) / 1000;
  const ops = perCall.length * batch;
  return {
    name,
    ops,
    totalMs,
    opsPerSec: (ops / totalMs) * 1000,
    p50Us: perCall[Math.floor(perCall.length * 0.5)]!,
    p99Us: perCall[Math.min(perCall.length - 1, Math.floor(perCall.length * 0.99))]!,
  };
}

/** A case's figures and the cache-store errors seen while it ran. */
interface Result {
  readonly measurement: Measurement;
  readonly storeErrors: number;
}

/** Runs every case `samples` batches in each of {@link ROUNDS} rounds, interleaved. */
async function runCases(cases: readonly Case[], samples: number): Promise<Result[]> {
  const batchUs = cases.map(() => [] as number[]);
  for (const c of cases) {
    for (let i = 0; i < WARMUP; i++) sink.last = await c.call();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, c] of cases.entries()) {
      const times = batchUs[index]!;
      for (let s = 0; s < samples; s++) {
        times.push(await timeBatch(c));
        // Let I/O and timers run between batches, as a server does between requests: a run of
        // cache hits resolves in microtasks only, and a long one would starve the event loop
        // until Redis commands still in flight (a fill) time out.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  return cases.map((c, index) => ({
    measurement: measurement(c.name, c.batch, batchUs[index]!),
    storeErrors: c.verify?.() ?? 0,
  }));
}

/** Counts calls, so a case can check the cache metrics against them afterwards. */
function counted(call: () => Promise<unknown>): {
  call: () => Promise<unknown>;
  calls: () => number;
} {
  let calls = 0;
  return {
    call: () => {
      calls++;
      return call();
    },
    calls: () => calls,
  };
}

type Tally = 'hits.l1' | 'hits.l2' | 'misses.l1' | 'misses.l2';

function tally(m: CacheMetrics, name: Tally): number {
  const [kind, tier] = name.split('.') as ['hits' | 'misses', 'l1' | 'l2'];
  return m[kind][tier];
}

/**
 * A check that, since now, `repo`'s metrics moved as its case says: `each` by one per call,
 * `none` not at all. A Redis command that timed out (the machine is shared) sends its call to the
 * database uncounted, so each store error may account for one call.
 */
function expectMetrics(
  name: string,
  repo: Repo,
  calls: () => number,
  each: readonly Tally[],
  none: readonly Tally[],
): () => number {
  const before = repo.cacheMetrics()!;
  return () => {
    const after = repo.cacheMetrics()!;
    const n = calls();
    const storeErrors = after.errors - before.errors;
    for (const t of [...each, ...none]) {
      const moved = tally(after, t) - tally(before, t);
      const expected = each.includes(t) ? n : 0;
      if (Math.abs(moved - expected) > storeErrors) {
        throw new Error(
          `bench cache: "${name}" did not measure what it says: ${t} moved by ${moved} over ` +
            `${n} calls (${storeErrors} store errors)`,
        );
      }
    }
    return storeErrors;
  };
}

/** This suite's own schema (PostgreSQL), database (MySQL) or file (SQLite). */
const ISOLATED = 'tbr_bench_cache';

/**
 * Like `openBenchDataSource`, but in a schema, database or file of its own: the shared bench
 * schema is dropped and recreated by every suite that starts, and suites of other work may run at
 * the same time on this machine.
 */
async function openIsolated(dialect: DialectName): Promise<DataSource> {
  let url = BENCH_URLS[dialect];
  let extra: Partial<DataSourceOptions> = {};
  if (dialect === 'sqlite') {
    const { mkdirSync, rmSync } = await import('node:fs');
    mkdirSync('.tmp', { recursive: true });
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(`.tmp/${ISOLATED}.sqlite${suffix}`, { force: true });
    url = `sqlite:.tmp/${ISOLATED}.sqlite`;
  } else if (dialect === 'postgres') {
    const admin = new DataSource(dataSourceOptionsFromUrl(url, {}));
    await admin.initialize();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${ISOLATED}`);
    await admin.destroy();
    extra = {
      schema: ISOLATED,
      extra: { options: `-c search_path=${ISOLATED}` },
    } as Partial<DataSourceOptions>;
  } else {
    const admin = new DataSource(dataSourceOptionsFromUrl(url, {}));
    await admin.initialize();
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${ISOLATED} CHARACTER SET utf8mb4`);
    await admin.destroy();
    const parsed = new URL(url);
    parsed.pathname = `/${ISOLATED}`;
    url = parsed.toString();
  }
  const ds = new DataSource({
    ...dataSourceOptionsFromUrl(url, {}),
    ...extra,
    entities: [CachedEmployee],
    synchronize: true,
    dropSchema: true,
  } as DataSourceOptions);
  return ds.initialize();
}

/** The client the stores share, connected before any timing starts. */
async function connectRedis(): Promise<Redis | undefined> {
  const redis = new Redis(REDIS_URL, {
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported by the ping below
  try {
    await redis.ping();
    return redis;
  } catch (error) {
    console.warn(
      `bench cache: Redis at ${REDIS_URL} unreachable (${String(error)}); LRU cases only`,
    );
    redis.disconnect();
    return undefined;
  }
}

/** SCAN + UNLINK, as the library itself clears: never KEYS on a shared Redis. */
async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
    string[]
  >) {
    if (keys.length > 0) await redis.unlink(...keys);
  }
}

/**
 * What caching costs per `findById` call: served from L1 (in process), from L2 (Redis) and on a
 * miss, each against its raw floor measured in the same run — an lru-cache `get`, an ioredis
 * `GET` plus `JSON.parse`, and the uncached primary-key SELECT through the repository (with the
 * raw `DataSource.query` SELECT for context).
 */
export async function cacheSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds = await openIsolated(dialect);
  const redis = await connectRedis();
  const run: Run = {
    dialect,
    ds,
    redis,
    prefix: `tbr-bench:${process.pid}:`,
    stores: [],
    repos: [],
  };
  try {
    return await measureCaching(run, n);
  } finally {
    for (const store of run.stores) await store.close();
    if (redis) {
      // getPopularQueries() flushes a usage tracker and stops its timer, so that nothing writes
      // under the prefix once it is removed.
      for (const repo of run.repos) await repo.getPopularQueries().catch(() => undefined);
      await removeKeys(redis, run.prefix);
      await redis.quit();
    }
    await ds.destroy();
  }
}

/** What one dialect's run holds, and what it must close. */
interface Run {
  readonly dialect: DialectName;
  readonly ds: DataSource;
  readonly redis: Redis | undefined;
  /** Every Redis key of the run starts with it; removed at the end. */
  readonly prefix: string;
  readonly stores: TieredCacheStore[];
  /** Repositories whose usage trackers write to Redis. */
  readonly repos: Repo[];
}

async function measureCaching(run: Run, n: number): Promise<ReportRow[]> {
  const { dialect, ds, redis, prefix, stores } = run;
  const channel = `${prefix}invalidations`;
  const repoWith = (cache?: CacheConfig): Repo =>
    new BaseRepository<CachedEmployee, CreateDto, UpdateDto>(ds, CachedEmployee, {
      createDto: CreateDto,
      updateDto: UpdateDto,
      cache,
    });
  const uncached = repoWith();

  // Rows: the hot set every hit case cycles over, then a pool of never-read ids per miss case.
  const perRound = Math.ceil(n / ROUNDS);
  const missPool = WARMUP + perRound * ROUNDS;
  const seed = HOT_IDS + 3 * missPool;
  const loaded = await uncached.bulkCreate(
    Array.from({ length: seed }, (_, i) => ({
      name: `Employee ${i}`,
      email: `e${i}@example.com`,
      department: ['eng', 'ops', 'sales', 'research'][i % 4]!,
      salary: 30_000 + (i % 100) * 1000,
    })),
    { emitEvents: false },
  );
  if (loaded.createdIds.length !== seed)
    throw new Error(`bench cache: seeded ${loaded.successCount}`);
  const ids = loaded.createdIds as number[];
  const hot = ids.slice(0, HOT_IDS);
  const fresh = [0, 1, 2].map((k) =>
    ids.slice(HOT_IDS + k * missPool, HOT_IDS + (k + 1) * missPool),
  );
  const hotId = (k: number) => hot[k % HOT_IDS]!;
  const freshId = (pool: readonly number[], k: number) => {
    if (k >= pool.length) throw new Error('bench cache: the miss pool ran out of unread ids');
    return pool[k]!;
  };

  // A row as the caches hold it: a plain object with the entity's columns.
  const rows = new Map<number, Record<string, unknown>>();
  for (const id of hot) rows.set(id, { ...(await uncached.findById(id)) });

  const cases: Case[] = [];
  const add = (c: Case) => cases.push(c);

  // ── floors ───────────────────────────────────────────────────────────────
  const raw = new LRUCache<string, object>({
    max: 10_000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: () => 1,
  });
  for (const [id, row] of rows)
    raw.set(`bench_cache_employees:row:id:${id}`, row, { ttl: 600_000 });
  const rawKeys = hot.map((id) => `bench_cache_employees:row:id:${id}`);
  let rawK = 0;
  add({
    name: 'raw lru-cache get',
    batch: 1000,
    sync: true,
    call: () => raw.get(rawKeys[rawK++ % HOT_IDS]!),
  });

  const q = (name: string) => ds.driver.escape(name);
  const selectSql = `SELECT * FROM ${q('bench_cache_employees')} WHERE ${q('id')} = ${dialect === 'postgres' ? '$1' : '?'}`;
  let sqlK = 0;
  add({
    name: 'raw SELECT by pk (DataSource.query)',
    batch: 1,
    call: () => ds.query(selectSql, [hotId(sqlK++)]),
    baseline: 'uncached findById',
  });
  let plainK = 0;
  add({ name: 'uncached findById', batch: 1, call: () => uncached.findById(hotId(plainK++)) });

  // ── L1 hits ──────────────────────────────────────────────────────────────
  const lruRepo = (trackUsage: boolean) =>
    repoWith({ store: new LruCacheStore(), ttlSeconds: 600, warming: { trackUsage } });
  const l1Case = async (name: string, repo: Repo) => {
    for (const id of hot) await repo.findById(id);
    let k = 0;
    const c = counted(() => repo.findById(hotId(k++)));
    add({
      name,
      batch: 100,
      call: c.call,
      verify: expectMetrics(name, repo, c.calls, ['hits.l1'], ['misses.l1', 'hits.l2']),
      baseline: 'raw lru-cache get',
    });
  };
  await l1Case('findById L1 hit (LruCacheStore)', lruRepo(true));
  await l1Case('findById L1 hit (LruCacheStore, trackUsage: false)', lruRepo(false));

  const tiered = async (name: string, l1 = new LruCacheStore()) => {
    const store = new TieredCacheStore(
      l1,
      new RedisCacheStore(redis!, { keyPrefix: `${prefix}${name}:` }),
      { channel },
    );
    stores.push(store);
    await store.ready();
    return store;
  };

  if (redis) {
    // The tiered store's L1 hit: no Redis command at all (the subscription is up).
    const l1Tiered = repoWith({ store: await tiered('l1'), ttlSeconds: 600 });
    run.repos.push(l1Tiered);
    for (const id of hot) await l1Tiered.findById(id); // L2 and L1 filled in the background
    await l1Case('findById L1 hit (TieredCacheStore)', l1Tiered);

    // ── L2 hits ────────────────────────────────────────────────────────────
    const rawRedisKey = (id: number) => `${prefix}raw:{bench}:r:id:${id}`;
    for (const [id, row] of rows) await redis.set(rawRedisKey(id), JSON.stringify(row));
    let getK = 0;
    add({
      name: 'raw ioredis GET + JSON.parse',
      batch: 1,
      call: async () => JSON.parse((await redis.get(rawRedisKey(hotId(getK++))))!) as unknown,
    });

    const l2Case = async (name: string, repo: Repo, each: Tally[], none: Tally[]) => {
      run.repos.push(repo);
      for (const id of hot) await repo.findById(id); // fills L2
      let k = 0;
      const c = counted(() => repo.findById(hotId(k++)));
      add({
        name,
        batch: 1,
        call: c.call,
        verify: expectMetrics(name, repo, c.calls, each, none),
        baseline: 'raw ioredis GET + JSON.parse',
      });
    };
    // RedisCacheStore alone: one READ script (three GETs) and the typed decode.
    const l2Only = new RedisCacheStore(redis, { keyPrefix: `${prefix}l2:` });
    await l2Case(
      'findById L2 hit (RedisCacheStore)',
      repoWith({ store: l2Only }),
      ['hits.l2'],
      ['misses.l2'],
    );
    // A tiered store whose L1 holds one entry: cycling over 1000 ids, every read misses L1, hits
    // L2 and copies the entry into L1 — the L2 hit a tiered deployment really pays.
    const l2Tiered = await tiered('l2t', new LruCacheStore({ max: 1 }));
    await l2Case(
      'findById L2 hit (TieredCacheStore, L1 miss)',
      repoWith({ store: l2Tiered }),
      ['misses.l1', 'hits.l2'],
      ['hits.l1', 'misses.l2'],
    );

    // ── misses ─────────────────────────────────────────────────────────────
    // Each call reads an id no one has read before: a true miss on both tiers, no write needed.
    // The call returns once the row is read; its fill (one more Redis round trip) runs behind it.
    const missRepo = repoWith({ store: await tiered('miss'), ttlSeconds: 600 });
    run.repos.push(missRepo);
    let missK = 0;
    const miss = counted(() => missRepo.findById(freshId(fresh[0]!, missK++)));
    add({
      name: 'findById miss (TieredCacheStore)',
      batch: 1,
      call: miss.call,
      verify: expectMetrics(
        'findById miss (TieredCacheStore)',
        missRepo,
        miss.calls,
        ['misses.l1', 'misses.l2'],
        ['hits.l1', 'hits.l2'],
      ),
      baseline: 'uncached findById',
    });

    // The floor of any Redis cache-aside miss: GET (nil), the uncached read, then a SET that is
    // not awaited (like the fill). What the miss costs beyond it is the library's.
    let asideK = 0;
    add({
      name: 'raw cache-aside miss (GET, uncached findById, SET)',
      batch: 1,
      call: async () => {
        const id = freshId(fresh[2]!, asideK++);
        const key = `${prefix}aside:{bench}:r:id:${id}`;
        const cached = await redis.get(key);
        if (cached !== null) return JSON.parse(cached) as unknown;
        const row = await uncached.findById(id);
        void redis.set(key, JSON.stringify(row), 'PX', 600_000).catch(() => undefined);
        return row;
      },
      baseline: 'uncached findById',
    });
  }

  const lruMissRepo = lruRepo(true);
  let lruMissK = 0;
  const lruMiss = counted(() => lruMissRepo.findById(freshId(fresh[1]!, lruMissK++)));
  add({
    name: 'findById miss (LruCacheStore)',
    batch: 1,
    call: lruMiss.call,
    verify: expectMetrics(
      'findById miss (LruCacheStore)',
      lruMissRepo,
      lruMiss.calls,
      ['misses.l1'],
      ['hits.l1'],
    ),
    baseline: 'uncached findById',
  });

  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const results = await runCases(cases, perRound);
  loop.disable();
  const byName = new Map(results.map((r) => [r.measurement.name, r.measurement]));
  printDetails(dialect, results, byName);
  // The histogram's samples include its own sampling interval.
  const stall = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS).toFixed(1);
  console.log(
    `\nevent-loop stalls while measuring: p99 ${stall(loop.percentile(99))} ms, ` +
      `longest ${stall(loop.max)} ms (Redis commandTimeoutMs is 50 ms)`,
  );
  return cases.map((c, index) => ({
    dialect,
    measurement: results[index]!.measurement,
    baseline: c.baseline ? byName.get(c.baseline) : undefined,
  }));
}

const us = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));

/** A target of issue 4 as a comparison of two medians; `limit` absent for context only. */
interface Target {
  readonly label: string;
  readonly kind: 'minus' | 'over';
  readonly of: string;
  readonly against: string;
  readonly limit?: number;
}

const TARGETS: readonly Target[] = [
  {
    label: 'L1 hit (Tiered)',
    kind: 'minus',
    of: 'findById L1 hit (TieredCacheStore)',
    against: 'raw lru-cache get',
    limit: 2,
  },
  {
    label: 'L1 hit (LRU)',
    kind: 'minus',
    of: 'findById L1 hit (LruCacheStore)',
    against: 'raw lru-cache get',
    limit: 2,
  },
  {
    label: 'L2 hit (Redis)',
    kind: 'over',
    of: 'findById L2 hit (RedisCacheStore)',
    against: 'raw ioredis GET + JSON.parse',
    limit: 1.3,
  },
  {
    label: 'L2 hit (Tiered, L1 miss)',
    kind: 'over',
    of: 'findById L2 hit (TieredCacheStore, L1 miss)',
    against: 'raw ioredis GET + JSON.parse',
    limit: 1.3,
  },
  {
    label: 'miss (Tiered)',
    kind: 'over',
    of: 'findById miss (TieredCacheStore)',
    against: 'uncached findById',
    limit: 1.15,
  },
  {
    label: 'miss (Tiered)',
    kind: 'over',
    of: 'findById miss (TieredCacheStore)',
    against: 'raw cache-aside miss (GET, uncached findById, SET)',
  },
  {
    label: 'miss (LRU)',
    kind: 'over',
    of: 'findById miss (LruCacheStore)',
    against: 'uncached findById',
    limit: 1.15,
  },
];

/** The per-call table with sub-microsecond precision, and the targets. */
function printDetails(
  dialect: DialectName,
  results: readonly Result[],
  byName: ReadonlyMap<string, Measurement>,
): void {
  console.log(`\n### cache, ${dialect}: per-call latency\n`);
  console.log('| case | calls | p50 µs | p99 µs | store errors |');
  console.log('|---|---:|---:|---:|---:|');
  for (const { measurement: m, storeErrors } of results)
    console.log(`| ${m.name} | ${m.ops} | ${us(m.p50Us)} | ${us(m.p99Us)} | ${storeErrors} |`);
  console.log(`\n### cache, ${dialect}: targets (medians)\n`);
  console.log('| comparison | measured | target | met |');
  console.log('|---|---:|---|---|');
  for (const t of TARGETS) {
    const of = byName.get(t.of)?.p50Us;
    const against = byName.get(t.against)?.p50Us;
    if (of === undefined || against === undefined) continue;
    const minus = t.kind === 'minus';
    const value = minus ? of - against : of / against;
    const shown = minus ? `${value.toFixed(2)} µs` : `${value.toFixed(2)}×`;
    const name = `${t.label} ${minus ? '−' : '÷'} ${t.against}`;
    const target = t.limit === undefined ? '' : `≤ ${t.limit}${minus ? ' µs' : '×'}`;
    const met = t.limit === undefined ? '' : value <= t.limit ? 'yes' : 'no';
    console.log(`| ${name} | ${shown} | ${target} | ${met} |`);
  }
}
