import { BaseRepository, type DialectName } from '../../src';
import { openBenchDataSource } from '../dialects';
import { timed, type Measurement, type ReportRow } from '../harness';
import { BenchOrder, OrderDto, order } from './bulk';

export const BATCH_SIZES = [250, 500, 1000, 2000, 5000];

/** bulkCreate with default options but `batchSize`, for each size, against the 1000 default. */
export async function batchSizeSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds = await openBenchDataSource(dialect, [BenchOrder]);
  const repo = new BaseRepository<BenchOrder, OrderDto, OrderDto>(ds, BenchOrder, {
    createDto: OrderDto,
    updateDto: OrderDto,
  });
  const results: Measurement[] = [];
  for (const batchSize of BATCH_SIZES) {
    await ds.getRepository(BenchOrder).clear();
    const rows = Array.from({ length: n }, (_, i) => order(i, `b${batchSize}-`));
    results.push(
      await timed(`bulkCreate batchSize ${batchSize}`, n, () =>
        repo.bulkCreate(rows, { batchSize }),
      ),
    );
  }
  await ds.destroy();
  const baseline = results[BATCH_SIZES.indexOf(1000)]!;
  return results.map((measurement) => ({
    dialect,
    measurement,
    ...(measurement === baseline ? {} : { baseline }),
  }));
}
