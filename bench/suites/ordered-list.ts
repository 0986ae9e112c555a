import { In, LessThan, type DataSource } from 'typeorm';
import { BaseRepository, type DialectName } from '../../src';
import { measure, measureInTurns, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';
import { benchEmployeeEntity, BenchCreateDto, BenchUpdateDto } from '../bench-employee';

const BenchOrdered = benchEmployeeEntity('bench_ordered');
type BenchOrdered = InstanceType<typeof BenchOrdered>;

const DEPARTMENTS = ['eng', 'ops', 'sales', 'research'];
const DEEP = 50_000;

/**
 * An indexed, ordered page: 100,000 rows with an index on `salary` (NOT NULL), and
 * `WHERE salary < ? AND department IN (?, ?) ORDER BY salary DESC LIMIT 50` through `list()`,
 * TypeORM's `find` and the raw driver; then a deep page, by OFFSET and by keyset cursor, against
 * the first page.
 */
export async function orderedListRows(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds: DataSource = await openBenchDataSource(dialect, [BenchOrdered]);
  const typeorm = ds.getRepository(BenchOrdered);
  const repo = new BaseRepository<BenchOrdered, BenchCreateDto, BenchUpdateDto>(ds, BenchOrdered, {
    createDto: BenchCreateDto,
    updateDto: BenchUpdateDto,
  });
  await repo.bulkCreate(
    Array.from({ length: 100_000 }, (_, i) => ({
      name: `Employee ${i}`,
      email: `e${i}@example.com`,
      department: DEPARTMENTS[i % 4]!,
      salary: 30_000 + ((i * 7919) % 90_000),
    })),
  );
  const q = (name: string) => ds.driver.escape(name);
  await ds.query(`CREATE INDEX idx_bench_ordered_salary ON ${q('bench_ordered')} (${q('salary')})`);
  await ds.query(
    { postgres: 'ANALYZE bench_ordered', mysql: 'ANALYZE TABLE bench_ordered', sqlite: 'ANALYZE' }[
      dialect
    ],
  );
  const p = (i: number) => (dialect === 'postgres' ? `$${i}` : '?');
  const rows: ReportRow[] = [];
  const add = (measurement: ReportRow['measurement'], baseline?: ReportRow['measurement']) =>
    rows.push({ dialect, measurement, baseline });
  const filters = { salary__lt: 90_000, department__in: ['eng', 'ops'] };

  // The idiomatic raw query for a soft-deleting table: live rows only, as list() reads.
  const live = `${q('deletedAt')} IS NULL`;
  const rawSql = `SELECT * FROM ${q('bench_ordered')} WHERE ${q('salary')} < ${p(1)} AND ${q('department')} IN (${p(2)}, ${p(3)}) AND ${live} ORDER BY ${q('salary')} DESC LIMIT 50`;
  const [raw, find, list] = await measureInTurns([
    {
      name: 'raw SELECT … ORDER BY salary DESC LIMIT 50',
      count: n,
      op: () => ds.query(rawSql, [90_000, 'eng', 'ops']),
    },
    {
      name: 'TypeORM find(order salary DESC, take 50)',
      count: n,
      op: () =>
        typeorm.find({
          where: { salary: LessThan(90_000), department: In(['eng', 'ops']) },
          order: { salary: 'DESC' },
          take: 50,
        }),
    },
    {
      name: "repo.list(orderBy '-salary', limit 50)",
      count: n,
      op: () => repo.list({ filters, orderBy: '-salary', limit: 50 }),
    },
  ]);
  add(raw!);
  add(find!, raw);
  add(list!, raw);

  const deepSql = `SELECT * FROM ${q('bench_ordered')} WHERE ${live} ORDER BY ${q('salary')} DESC, ${q('id')} DESC LIMIT 50 OFFSET ${DEEP}`;
  const rawDeep = await measure(`raw deep page (OFFSET ${DEEP})`, Math.ceil(n / 10), () =>
    ds.query(deepSql),
  );
  const offsetDeep = await measure(`repo.list offset ${DEEP}`, Math.ceil(n / 10), () =>
    repo.list({ orderBy: '-salary', limit: 50, offset: DEEP }),
  );
  // The cursor of row DEEP, reached once by paging.
  const { nextCursor } = await repo.list({ orderBy: '-salary', limit: DEEP, after: null });
  const [first, keysetDeep] = await measureInTurns([
    {
      name: 'repo.list keyset, first page',
      count: n,
      op: () => repo.list({ orderBy: '-salary', limit: 50, after: null }),
    },
    {
      name: `repo.list keyset after row ${DEEP}`,
      count: n,
      op: () => repo.list({ orderBy: '-salary', limit: 50, after: nextCursor }),
    },
  ]);
  add(first!);
  add(rawDeep, first);
  add(offsetDeep, first);
  add(keysetDeep!, first);
  await ds.destroy();
  return rows;
}
