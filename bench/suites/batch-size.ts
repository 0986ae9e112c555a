import { BaseRepository, type DialectName } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { openBenchDataSource } from '../dialects';
import { timed, type Measurement, type ReportRow } from '../harness';
import { BenchOrder, OrderDto, order } from './bulk';

export const BATCH_SIZES = [250, 500, 1000, 2000, 5000, 10000];

export const COPY_BATCH_SIZES = [1000, 2500, 5000, 10000];

/**
 * bulkCreate with default options but `batchSize`, for each size, against the dialect's default
 * (1000; 5000 on PostgreSQL). On PostgreSQL also the COPY path (`returnIds: false`) for each of
 * its sizes, against the same default.
 */
export async function batchSizeSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds = await openBenchDataSource(dialect, [BenchOrder]);
  const repo = new BaseRepository<BenchOrder, OrderDto, OrderDto>(ds, BenchOrder, {
    createDto: OrderDto,
    updateDto: OrderDto,
  });
  const sweep = async (label: string, sizes: readonly number[], noIds: boolean) => {
    const results: Measurement[] = [];
    for (const batchSize of sizes) {
      await ds.getRepository(BenchOrder).clear();
      const rows = Array.from({ length: n }, (_, i) => order(i, `b${batchSize}-`));
      const options = noIds ? { batchSize, returnIds: false, validate: false } : { batchSize };
      results.push(
        await timed(`${label} batchSize ${batchSize}`, n, () => repo.bulkCreate(rows, options)),
      );
    }
    return results;
  };
  const report = (results: Measurement[], baseline: Measurement) =>
    results.map((measurement) => ({
      dialect,
      measurement,
      ...(measurement === baseline ? {} : { baseline }),
    }));
  const inserts = await sweep('bulkCreate', BATCH_SIZES, false);
  const { defaultBatchSize } = adapterFor(ds).bulkLoad;
  const rows = report(inserts, inserts[BATCH_SIZES.indexOf(defaultBatchSize)]!);
  if (ds.options.type === 'postgres') {
    const copies = await sweep('bulkCreate(no ids, COPY)', COPY_BATCH_SIZES, true);
    rows.push(...report(copies, copies[COPY_BATCH_SIZES.indexOf(defaultBatchSize)]!));
  }
  await ds.destroy();
  return rows;
}
