import type { DataSource } from 'typeorm';
import { BaseRepository, type DialectName } from '../../src';
import { measure, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';
import { benchEmployeeEntity, BenchCreateDto, BenchUpdateDto } from '../bench-employee';

const BenchPlaces = benchEmployeeEntity('bench_places');
type BenchPlaces = InstanceType<typeof BenchPlaces>;
const CITIES = ['Zürich', 'Kraków', 'Москва', 'Αθήνα', 'İstanbul', 'Oslo', 'Paris', 'Lima'];

/**
 * `list({ filters: { name__icontains: 'ü' } })` on `n` rows (1 in 8 matches, 1 in 100 kept by
 * the limit-free scan's result), against the raw query of the same rows with SQLite's own
 * ASCII-only `LOWER(name) LIKE ?` (which finds the same rows here: the term is lower case) and
 * the raw query through `tbr_lower`: the cost of the JS function per row.
 */
export async function icontainsSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  if (dialect !== 'sqlite') return [];
  const ds: DataSource = await openBenchDataSource(dialect, [BenchPlaces]);
  const repo = new BaseRepository<BenchPlaces, BenchCreateDto, BenchUpdateDto>(ds, BenchPlaces, {
    createDto: BenchCreateDto,
    updateDto: BenchUpdateDto,
  });
  await repo.bulkCreate(
    Array.from({ length: n }, (_, i) => ({
      name: `${CITIES[i % CITIES.length]!} ${i % 100 === 0 ? 'üü' : ''}${i}`,
      email: `e${i}@example.com`,
      department: 'eng',
      salary: 30_000,
    })),
  );
  const term = '%üü%';
  // The first list() registers tbr_lower on the connection.
  const expected = (await repo.list({ filters: { name__icontains: 'üü' } })).length;
  const sql = (lower: string) =>
    `SELECT * FROM "bench_places" WHERE ${lower}("name") LIKE ? ESCAPE '!' ORDER BY "id"`;
  const runs = 200;
  const ascii = await measure(`raw LOWER(name) LIKE ?, ${n} rows`, runs, async () => {
    const rows = (await ds.query(sql('LOWER'), [term])) as unknown[];
    if (rows.length !== expected) throw new Error(`found ${rows.length}, not ${expected}`);
  });
  const unicode = await measure(`raw tbr_lower(name) LIKE ?, ${n} rows`, runs, () =>
    ds.query(sql('tbr_lower'), [term]),
  );
  const list = await measure(`repo.list({ name__icontains: 'üü' }), ${n} rows`, runs, () =>
    repo.list({ filters: { name__icontains: 'üü' } }),
  );
  await ds.destroy();
  return [
    { dialect, measurement: ascii },
    { dialect, measurement: unicode, baseline: ascii },
    { dialect, measurement: list, baseline: ascii },
  ];
}
