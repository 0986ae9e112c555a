import { BaseRepository, type DialectName } from '../../src';
import { openBenchDataSource } from '../dialects';
import { throughput, type ReportRow } from '../harness';
import { BenchOrder, OrderDto, order } from './bulk';

/**
 * Loads `n` rows from an async generator with bulkCreate's defaults and samples the process RSS
 * every 20 ms; reports the peak growth over the RSS just before the load.
 */
export async function streamSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds = await openBenchDataSource(dialect, [BenchOrder]);
  const repo = new BaseRepository<BenchOrder, OrderDto, OrderDto>(ds, BenchOrder, {
    createDto: OrderDto,
    updateDto: OrderDto,
  });
  async function* source() {
    for (let i = 0; i < n; i++) yield order(i, 's');
  }
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = process.hrtime.bigint();
  const result = await repo.bulkCreate(
    source(),
    process.env.NO_IDS ? { returnIds: false, emitEvents: false } : {},
  );
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const growthMb = (peak - baseline) / 2 ** 20;
  console.log(
    `stream ${dialect}: ${result.successCount} rows in ${(totalMs / 1000).toFixed(1)} s, ` +
      `peak RSS +${growthMb.toFixed(1)} MB (limit 150 MB), ${result.createdIds.length} ids kept`,
  );
  await ds.destroy();
  const name = `stream ${n} rows from an async iterable: peak RSS +${growthMb.toFixed(1)} MB`;
  return [
    {
      dialect,
      measurement: throughput(name, n, totalMs),
    },
  ];
}
