import { type DataSource } from 'typeorm';
import { BaseRepository, WriteCoalescer, type CoalescerOptions, type DialectName } from '../../src';
import { histogramQuantile } from '../../src/coalescing/histogram';
import { throughput, type Measurement, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';
import { benchEmployeeEntity, BenchCreateDto, benchEmployeeRow } from '../bench-employee';

const BenchRow = benchEmployeeEntity('bench_coalesced', { uniqueEmail: true });
type BenchRow = InstanceType<typeof BenchRow>;
const CreateDto = BenchCreateDto;
type CreateDto = BenchCreateDto;

/** Concurrent producers, as request handlers are. */
const PRODUCERS = 64;

/**
 * A 64-row INSERT returning the stored rows straight through the driver (INSERT then SELECT by id
 * on MySQL; RETURNING on MariaDB): what one statement of a full group costs at the least.
 */
function rawInsert(ds: DataSource, dialect: DialectName) {
  const q = (name: string) => ds.driver.escape(name);
  const table = q('bench_coalesced');
  const columns = ['name', 'email', 'department', 'salary', 'version', 'createdAt', 'updatedAt']
    .map(q)
    .join(', ');
  return async (values: BenchCreateDto[]) => {
    const fields = values.map((v) => [v.name, v.email, v.department, v.salary]);
    if (dialect === 'postgres') {
      const arrays = [0, 1, 2, 3].map((k) => fields.map((f) => f[k]));
      return ds.query(
        `INSERT INTO ${table} (${columns}) SELECT *, 1, now(), now() FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::int[]) RETURNING *`,
        arrays,
      );
    }
    const now = dialect === 'mysql' ? 'CURRENT_TIMESTAMP(6)' : 'CURRENT_TIMESTAMP';
    const tuples = values.map(() => `(?, ?, ?, ?, 1, ${now}, ${now})`).join(', ');
    const insert = `INSERT INTO ${table} (${columns}) VALUES ${tuples}`;
    // MariaDB (reached as mariadb://) has INSERT … RETURNING as well.
    if (dialect === 'sqlite' || ds.options.type === 'mariadb') {
      return ds.query(`${insert} RETURNING *`, fields.flat());
    }
    const { insertId } = (await ds.query(insert, fields.flat())) as { insertId: number };
    const ids = values.map((_, k) => insertId + k);
    return ds.query(`SELECT * FROM ${table} WHERE ${q('id')} IN (${ids.join(', ')})`);
  };
}

/**
 * The least a coalescer can cost: the producers' rows queued with no validation, no entities and
 * no bookkeeping, flushed as `write` statements at the same size and wait as the coalescer's. Its
 * throughput bounds what `createBatched` can reach for the same load on the same machine.
 */
function bareCoalescer(
  write: (values: BenchCreateDto[]) => Promise<unknown>,
  { maxBatchSize, maxWaitMs }: CoalescerOptions,
): (value: BenchCreateDto) => Promise<void> {
  let queue: { value: BenchCreateDto; done: () => void; fail: (e: unknown) => void }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    write(batch.map((e) => e.value)).then(
      () => batch.forEach((e) => e.done()),
      (error: unknown) => batch.forEach((e) => e.fail(error)),
    );
  };
  return (value) =>
    new Promise<void>((done, fail) => {
      queue.push({ value, done, fail });
      if (queue.length >= maxBatchSize) flush();
      else timer ??= setTimeout(flush, maxWaitMs);
    });
}

/** Wall time of batches of 64 rows written one after another, over every round. */
class SerialTally {
  #rows = 0;
  #totalMs = 0;

  async run(batches: number, write: (k: number) => Promise<unknown>): Promise<void> {
    const start = process.hrtime.bigint();
    for (let k = 0; k < batches; k++) await write(k);
    this.#totalMs += Number(process.hrtime.bigint() - start) / 1e6;
    this.#rows += batches * PRODUCERS;
  }

  measurement(name: string): Measurement {
    return throughput(name, this.#rows, this.#totalMs);
  }
}

/** Per-call latencies (µs) and wall time of one case, summed over its rounds. */
class Tally {
  readonly #samples: number[] = [];
  #totalMs = 0;

  /**
   * `PRODUCERS` concurrent producers each make `perProducer` calls one at a time (each awaits its
   * call before making the next).
   */
  async run(perProducer: number, op: (i: number) => Promise<unknown>): Promise<void> {
    const offset = this.#samples.length;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: PRODUCERS }, async (_, p) => {
        for (let k = 0; k < perProducer; k++) {
          const i = offset + p * perProducer + k;
          const t = process.hrtime.bigint();
          await op(i);
          this.#samples[i] = Number(process.hrtime.bigint() - t) / 1000;
        }
      }),
    );
    this.#totalMs += Number(process.hrtime.bigint() - start) / 1e6;
  }

  measurement(name: string): Measurement {
    const samples = Float64Array.from(this.#samples).sort();
    const ops = samples.length;
    return {
      name,
      ops,
      totalMs: this.#totalMs,
      opsPerSec: (ops / this.#totalMs) * 1000,
      p50Us: samples[Math.floor(ops * 0.5)]!,
      p99Us: samples[Math.min(ops - 1, Math.floor(ops * 0.99))]!,
    };
  }
}

/**
 * `create()` against `createBatched()` under the same load: 64 concurrent producers, `n` rows each,
 * in the same run. The two alternate in `BENCH_COALESCE_ROUNDS` rounds (default 4), `create()`
 * first in each, so that both meet the same background load on a shared machine. A third case in
 * each round, the bound, runs the same producers through a bare coalescer over the raw driver.
 * `BENCH_COALESCE_SWEEP=1` also measures other maxBatchSize/maxWaitMs pairs, as used to choose the
 * defaults.
 */
export async function coalesceSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds = await openBenchDataSource(dialect, [BenchRow]);
  const rows: ReportRow[] = [];
  const repository = (coalescer?: WriteCoalescer) =>
    new BaseRepository<BenchRow, CreateDto, CreateDto>(ds, BenchRow, {
      createDto: CreateDto,
      updateDto: CreateDto,
      ...(coalescer ? { coalescer } : {}),
    });
  const rounds = Math.max(1, Number(process.env.BENCH_COALESCE_ROUNDS ?? 4));
  const perRound = Math.max(1, Math.floor(n / rounds));
  let tags = 0;
  /** A case that writes through `op`, warmed up before its first round. */
  const measured = (op: (tag: string, i: number) => Promise<unknown>) => {
    const tally = new Tally();
    const tag = `t${tags++}_`;
    let warm = false;
    return {
      tally,
      round: async () => {
        if (!warm) await new Tally().run(Math.min(50, perRound), (i) => op(`${tag}w`, i));
        warm = true;
        await tally.run(perRound, (i) => op(tag, i));
      },
    };
  };
  const report = (name: string, coalescer: WriteCoalescer) => {
    const m = coalescer.metrics();
    console.log(
      `bench: ${dialect} ${name}: ${m.batches} batches, ` +
        `${(m.batchedEntries / Math.max(1, m.batches)).toFixed(1)} entries/batch, ` +
        `batch p50 ≤ ${+histogramQuantile(m.batchTimeMs, 0.5).toFixed(1)} ms, ` +
        `p99 ≤ ${+histogramQuantile(m.batchTimeMs, 0.99).toFixed(1)} ms`,
    );
  };

  const plain = repository();
  const create = measured((tag, i) => plain.create(benchEmployeeRow(i, tag)));
  const coalescer = new WriteCoalescer();
  const batchedRepo = repository(coalescer);
  const batched = measured((tag, i) => batchedRepo.createBatched(benchEmployeeRow(i, tag)));
  const insert = rawInsert(ds, dialect);
  const bare = bareCoalescer(insert, coalescer.options);
  const bound = measured((tag, i) => bare(benchEmployeeRow(i, tag)));
  // References: the same full groups of 64, one statement at a time, without the coalescer.
  const group = (tag: string, k: number) =>
    Array.from({ length: PRODUCERS }, (_, j) => benchEmployeeRow(k * PRODUCERS + j, tag));
  const bulk = new SerialTally();
  const raw = new SerialTally();
  for (let r = 0; r < rounds; r++) {
    await create.round();
    await batched.round();
    await bound.round();
    await bulk.run(perRound, (k) => plain.bulkCreate(group(`k${r}_`, k)));
    await raw.run(perRound, (k) => insert(group(`r${r}_`, k)));
  }
  await coalescer.close();
  const baseline = create.tally.measurement(`create() ×${PRODUCERS}`);
  const name = `createBatched() ×${PRODUCERS}`;
  report(name, coalescer);
  rows.push({ dialect, measurement: baseline });
  rows.push({ dialect, measurement: batched.tally.measurement(name), baseline });
  const reference = (label: string, tally: SerialTally) =>
    rows.push({ dialect, measurement: tally.measurement(label), baseline });
  const boundLabel = `bound: the same load through a bare coalescer and the raw driver`;
  rows.push({ dialect, measurement: bound.tally.measurement(boundLabel), baseline });
  reference(`reference: bulkCreate(${PRODUCERS} rows), one at a time`, bulk);
  reference(`reference: raw ${PRODUCERS}-row INSERT returning rows, one at a time`, raw);

  for (const [maxBatchSize, maxWaitMs] of sweepPairs(process.env.BENCH_COALESCE_SWEEP)) {
    const options: Partial<CoalescerOptions> = { maxBatchSize, maxWaitMs };
    const swept = new WriteCoalescer(options);
    const repo = repository(swept);
    const sweep = measured((tag, i) => repo.createBatched(benchEmployeeRow(i, tag)));
    for (let r = 0; r < rounds; r++) await sweep.round();
    await swept.close();
    const label = `createBatched() maxBatchSize ${maxBatchSize}, maxWaitMs ${maxWaitMs}`;
    report(label, swept);
    rows.push({ dialect, measurement: sweep.tally.measurement(label), baseline });
  }
  await ds.destroy();
  return rows;
}

/**
 * The maxBatchSize/maxWaitMs pairs to sweep: `1` for the whole grid, or a list such as `32x2,16x1`.
 */
function sweepPairs(spec: string | undefined): [number, number][] {
  if (!spec) return [];
  if (spec === '1')
    return [16, 32, 64, 128].flatMap((size) =>
      [1, 2, 5].map((wait): [number, number] => [size, wait]),
    );
  return spec.split(',').map((pair) => {
    const [size, wait] = pair.split('x').map(Number);
    return [size!, wait!];
  });
}
