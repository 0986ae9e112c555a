import { mkdirSync, rmSync } from 'node:fs';
import { IsInt, IsOptional } from 'class-validator';
import {
  Column,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  VersionColumn,
  type DataSourceOptions,
  type EntityManager,
} from 'typeorm';
import {
  adapterFor,
  BaseRepository,
  dataSourceOptionsFromUrl,
  type DialectName,
  type LockingBehaviour,
} from '../../src';
import { openBenchDataSource } from '../dialects';
import { timed, type Measurement, type ReportRow } from '../harness';

@Entity('bench_counters')
class BenchCounter {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: Number }) value!: number;
  @VersionColumn() version!: number;
}

class CreateCounterDto {
  @IsInt() value!: number;
}

class UpdateCounterDto {
  @IsOptional() @IsInt() value?: number;
}

type CounterRepository = BaseRepository<BenchCounter, CreateCounterDto, UpdateCounterDto>;

const counters = (ds: DataSource, locking?: LockingBehaviour): CounterRepository =>
  new BaseRepository(ds, BenchCounter, {
    createDto: CreateCounterDto,
    updateDto: UpdateCounterDto,
    locking,
  });

const WORKERS = 8;

/**
 * Retry tuning for a hot row with 8 writers: enough retries that none gives up, a short backoff.
 * BENCH_LOCK_DELAY_MS / BENCH_LOCK_MAX_DELAY_MS override it.
 */
const RETRY: LockingBehaviour = {
  strategy: 'retry',
  maxRetries: 1000,
  retryDelayMs: Number(process.env.BENCH_LOCK_DELAY_MS ?? 5),
  maxRetryDelayMs: Number(process.env.BENCH_LOCK_MAX_DELAY_MS ?? 50),
};

/**
 * Optimistic locking on one dialect:
 * - increments per second of one counter row under 8-way contention (8 DataSources, one connection
 *   each) through `updateWithVersion` with `'retry'`, against a pessimistic
 *   `SELECT … FOR UPDATE` + `UPDATE` transaction per increment (PostgreSQL, MySQL/MariaDB). SQLite
 *   has no row locks, and a second in-process connection waiting for the write lock blocks the
 *   thread (better-sqlite3 is synchronous) while the holder needs it to finish, so its baseline is
 *   one writer incrementing serially;
 * - `update()` with `expectedVersion` against a plain `update()` on the same rows.
 */
export async function lockingSuite(
  dialect: DialectName,
  perWorker: number,
  updates: number,
): Promise<ReportRow[]> {
  const ds = await openDataSource(dialect);
  const rows: ReportRow[] = [];
  const add = (measurement: Measurement, baseline?: Measurement) =>
    rows.push({ dialect, measurement, baseline });
  const repo = counters(ds);
  const workers = await openWorkers(ds);
  try {
    const [baseline, ...others] = await contentionCases(dialect, ds, repo, workers, perWorker);
    add(baseline!);
    for (const m of others) add(m, baseline);

    const [plain, versioned] = await versionCheckCost(repo, updates);
    add(plain);
    add(versioned, plain);
  } finally {
    await Promise.all(workers.map((w) => w.destroy()));
    await ds.destroy();
  }
  return rows;
}

/**
 * The shared bench DataSource, except on SQLite: there this suite opens a WAL file of its own, as
 * its 8 extra connections must never share a WAL with another suite's run of the same checkout.
 */
async function openDataSource(dialect: DialectName): Promise<DataSource> {
  if (dialect !== 'sqlite') return openBenchDataSource(dialect, [BenchCounter]);
  mkdirSync('.tmp', { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${SQLITE_FILE}${suffix}`, { force: true });
  const options = dataSourceOptionsFromUrl(`sqlite:${SQLITE_FILE}`, {});
  return new DataSource({ ...options, entities: [BenchCounter], synchronize: true }).initialize();
}

const SQLITE_FILE = '.tmp/bench-locking.sqlite';

function openWorkers(ds: DataSource): Promise<DataSource[]> {
  const options = {
    ...ds.options,
    synchronize: false,
    dropSchema: false,
    poolSize: 1,
  } as DataSourceOptions;
  return Promise.all(Array.from({ length: WORKERS }, () => new DataSource(options).initialize()));
}

/** One way to increment the counter `id` `perWorker` times from each worker. */
interface ContentionCase {
  readonly name: string;
  run(id: number, perWorker: number): Promise<unknown>;
}

/**
 * The contention cases, baseline first. Each runs once untimed (a tenth of the work, to warm the
 * pools and the JIT) and then timed, each on a fresh counter whose total is checked afterwards.
 */
async function contentionCases(
  dialect: DialectName,
  ds: DataSource,
  repo: CounterRepository,
  workers: DataSource[],
  perWorker: number,
): Promise<Measurement[]> {
  const q = (name: string) => ds.driver.escape(name);
  const p = (i: number) => adapterFor(ds).syntax.placeholder(i);
  const table = q('bench_counters');
  const eachWorker = (work: (w: DataSource) => Promise<void>) =>
    Promise.all(workers.map((w) => work(w)));
  const times = async (n: number, step: () => Promise<unknown>) => {
    for (let i = 0; i < n; i++) await step();
  };
  const select = `SELECT ${q('value')} FROM ${table} WHERE ${q('id')} = ${p(0)} FOR UPDATE`;
  const update = `UPDATE ${table} SET ${q('value')} = ${p(0)}, ${q('version')} = ${q('version')} + 1 WHERE ${q('id')} = ${p(1)}`;
  const forUpdate = async (m: EntityManager, id: number) => {
    const [row] = (await m.query(select, [id])) as { value: number | string }[];
    return Number(row!.value);
  };
  let conflicts = 0;

  const cases: ContentionCase[] =
    dialect === 'sqlite'
      ? [
          {
            name: 'serial findById() + update(), 1 writer',
            run: (id, n) =>
              times(WORKERS * n, async () => {
                const row = await repo.findById(id);
                await repo.update(id, { value: row!.value + 1 });
              }),
          },
        ]
      : [
          {
            name: 'pessimistic SELECT … FOR UPDATE + UPDATE, 8 workers',
            run: (id, n) =>
              eachWorker((w) =>
                times(n, () =>
                  w.transaction(async (m) => {
                    await m.query(update, [(await forUpdate(m, id)) + 1, id]);
                  }),
                ),
              ),
          },
          {
            name: 'pessimistic FOR UPDATE + repo.update() in tx, 8 workers',
            run: (id, n) =>
              eachWorker(async (w) => {
                const r = counters(w);
                await times(n, () =>
                  w.transaction(async (m) => {
                    await r.withManager(m).update(id, { value: (await forUpdate(m, id)) + 1 });
                  }),
                );
              }),
          },
        ];
  cases.push({
    name: "updateWithVersion 'retry', 8 workers",
    run: (id, n) =>
      eachWorker(async (w) => {
        const r = counters(w, RETRY);
        await times(n, () => r.updateWithVersion(id, (c) => ({ value: c.value + 1 })));
        conflicts += r.lockMetrics().versionConflicts;
      }),
  });

  const results: Measurement[] = [];
  for (const c of cases) {
    const warmUp = Math.max(1, Math.floor(perWorker / 10));
    await checkedRun(repo, c, warmUp);
    conflicts = 0;
    results.push(await checkedRun(repo, c, perWorker));
  }
  const total = WORKERS * perWorker;
  console.log(
    `bench: ${dialect}: 'retry' saw ${conflicts} conflicts for ${total} increments ` +
      `(${(conflicts / total).toFixed(2)} retries per increment)`,
  );
  return results;
}

/** Runs a case on a fresh counter; a wrong final total marks the measurement. */
async function checkedRun(
  repo: CounterRepository,
  c: ContentionCase,
  perWorker: number,
): Promise<Measurement> {
  const total = WORKERS * perWorker;
  const { id } = await repo.create({ value: 0 });
  const m = await timed(c.name, total, () => c.run(id, perWorker));
  const stored = await repo.findById(id);
  if (stored?.value !== total) {
    console.warn(`bench: ${c.name}: counter is ${stored?.value}, expected ${total}`);
    return { ...m, name: `${c.name} (WRONG TOTAL)` };
  }
  return m;
}

/**
 * `update(id, dto)` against `update(id, dto, { expectedVersion })` on 1000 rows, one connection,
 * no contention. The two alternate operation by operation (after a warm-up of each), so that
 * drift in the machine's load and the WAL's periodic checkpoints hit both alike.
 */
async function versionCheckCost(
  repo: CounterRepository,
  n: number,
): Promise<[Measurement, Measurement]> {
  const versions = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    const { id, version } = await repo.create({ value: i });
    versions.set(id, version);
  }
  const ids = [...versions.keys()];
  const plain = async (i: number) => {
    const row = ids[i % ids.length]!;
    await repo.update(row, { value: i });
    versions.set(row, versions.get(row)! + 1);
  };
  const versioned = async (i: number) => {
    const row = ids[i % ids.length]!;
    await repo.update(row, { value: i }, { expectedVersion: versions.get(row)! });
    versions.set(row, versions.get(row)! + 1);
  };
  for (let i = 0; i < 100; i++) await (i % 2 === 0 ? plain(i) : versioned(i));
  const samples = [new Float64Array(n), new Float64Array(n)] as const;
  for (let i = 0; i < 2 * n; i++) {
    const t = process.hrtime.bigint();
    await (i % 2 === 0 ? plain(i) : versioned(i));
    samples[i % 2]![i >> 1] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return [
    fromSamples('update()', samples[0]),
    fromSamples('update() with expectedVersion', samples[1]),
  ];
}

/** A measurement from per-operation latencies in µs. */
function fromSamples(name: string, samples: Float64Array): Measurement {
  const totalMs = samples.reduce((sum, us) => sum + us, 0) / 1000;
  const sorted = samples.slice().sort();
  const n = sorted.length;
  return {
    name,
    ops: n,
    totalMs,
    opsPerSec: (n / totalMs) * 1000,
    p50Us: sorted[Math.floor(n * 0.5)]!,
    p99Us: sorted[Math.min(n - 1, Math.floor(n * 0.99))]!,
  };
}
