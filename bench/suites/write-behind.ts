import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  BaseRepository,
  WriteBehindAppliedKeysMigration,
  WriteBehindDrainer,
  WriteCoalescer,
  type DialectName,
} from '../../src';
import { throughput, type Measurement, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';
import { benchEmployeeEntity, BenchCreateDto, benchEmployeeRow } from '../bench-employee';

const BenchRow = benchEmployeeEntity('bench_write_behind', { uniqueEmail: true });
type BenchRow = InstanceType<typeof BenchRow>;

/** Concurrent producers, as request handlers are. */
const PRODUCERS = 64;

/** Wall time of `PRODUCERS` producers making `perProducer` calls each, one at a time. */
async function producers(
  name: string,
  perProducer: number,
  op: (i: number) => Promise<unknown>,
): Promise<Measurement> {
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async (_, p) => {
      for (let k = 0; k < perProducer; k++) await op(p * perProducer + k);
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return throughput(name, PRODUCERS * perProducer, ms);
}

/**
 * Write-behind against the synchronous paths, in one run on one machine:
 * - enqueue: `enqueueCreate()` from 64 producers against `create()` and `createBatched()` under the
 *   same load (the enqueue returns once Redis has the entry; nothing is written yet);
 * - drain: one drainer writing `n` queued entries (idempotency keys included) against
 *   `bulkCreate` of the same rows in batches of the drainer's `batchSize`.
 * Redis is BENCH_REDIS_URL (default the local one); its keys are removed afterwards.
 */
export async function writeBehindSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds = await openBenchDataSource(dialect, [BenchRow]);
  const runner = ds.createQueryRunner();
  await new WriteBehindAppliedKeysMigration().up(runner);
  await runner.release();
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const drainerRedis = redis.duplicate();
  const keyPrefix = `bench:wb:${randomUUID()}:`;
  const batchSize = Number(process.env.BENCH_WB_BATCH ?? 500);
  const coalescer = new WriteCoalescer();
  const repo = new BaseRepository<BenchRow, BenchCreateDto, BenchCreateDto>(ds, BenchRow, {
    createDto: BenchCreateDto,
    updateDto: BenchCreateDto,
    coalescer,
    writeBehind: { redis, keyPrefix, maxPending: 10 * n },
  });
  const drainer = new WriteBehindDrainer({ redis: drainerRedis, repositories: [repo], batchSize });
  const rows: ReportRow[] = [];
  try {
    const perProducer = Math.max(1, Math.floor(n / PRODUCERS));
    const create = await producers(`create() ×${PRODUCERS}`, perProducer, (i) =>
      repo.create(benchEmployeeRow(i, 'c')),
    );
    const batched = await producers(`createBatched() ×${PRODUCERS}`, perProducer, (i) =>
      repo.createBatched(benchEmployeeRow(i, 'b')),
    );
    const enqueue = await producers(`enqueueCreate() ×${PRODUCERS}`, perProducer, (i) =>
      repo.enqueueCreate(benchEmployeeRow(i, 'q')),
    );
    rows.push({ dialect, measurement: create });
    rows.push({ dialect, measurement: batched, baseline: create });
    rows.push({ dialect, measurement: enqueue, baseline: create });
    rows.push({ dialect, measurement: enqueue, baseline: batched });

    // Drain what was enqueued, then bulkCreate the same number of rows in the same batches.
    const queued = PRODUCERS * perProducer;
    const drainStart = process.hrtime.bigint();
    let drained = 0;
    while (drained < queued) {
      const report = await drainer.drainOnce();
      if (report.read === 0) break;
      drained += report.stored + report.duplicates;
    }
    const drainMs = Number(process.hrtime.bigint() - drainStart) / 1e6;
    const bulkStart = process.hrtime.bigint();
    for (let start = 0; start < queued; start += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, queued - start) }, (_, k) =>
        benchEmployeeRow(start + k, 'k'),
      );
      await repo.bulkCreate(batch, { batchSize });
    }
    const bulkMs = Number(process.hrtime.bigint() - bulkStart) / 1e6;
    const bulk = throughput(`bulkCreate(${batchSize} rows) one at a time`, queued, bulkMs);
    rows.push({ dialect, measurement: bulk });
    rows.push({
      dialect,
      measurement: throughput(
        `drainer, batchSize ${batchSize} (${drained} stored)`,
        queued,
        drainMs,
      ),
      baseline: bulk,
    });
  } finally {
    await coalescer.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    drainerRedis.disconnect();
    await redis.quit();
    await ds.destroy();
  }
  return rows;
}
