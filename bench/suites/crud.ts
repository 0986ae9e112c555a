import { In, LessThan, type DataSource } from 'typeorm';
import { BaseRepository, type DialectName } from '../../src';
import { measure, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';
import { benchEmployeeEntity, BenchCreateDto, BenchUpdateDto } from '../bench-employee';
import { orderedListRows } from './ordered-list';

const BenchEmployee = benchEmployeeEntity('bench_employees');
type BenchEmployee = InstanceType<typeof BenchEmployee>;
const CreateDto = BenchCreateDto;
type CreateDto = BenchCreateDto;
const UpdateDto = BenchUpdateDto;
type UpdateDto = BenchUpdateDto;

const DEPARTMENTS = ['eng', 'ops', 'sales', 'research'];
const row = (i: number) => ({
  name: `Employee ${i}`,
  email: `e${i}@example.com`,
  department: DEPARTMENTS[Math.abs(i) % 4]!,
  salary: 30_000 + (Math.abs(i) % 100) * 1000,
});

/**
 * Single-row CRUD against TypeORM's Repository (`save`, `findOneBy`, `find`, `update`) and
 * the raw driver through `DataSource.query`, on one dialect.
 */
export async function crudSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds: DataSource = await openBenchDataSource(dialect, [BenchEmployee]);
  const typeorm = ds.getRepository(BenchEmployee);
  const repo = new BaseRepository<BenchEmployee, CreateDto, UpdateDto>(ds, BenchEmployee, {
    createDto: CreateDto,
    updateDto: UpdateDto,
  });
  const q = (name: string) => ds.driver.escape(name);
  const p = (i: number) => (dialect === 'postgres' ? `$${i}` : '?');
  const insertSql = `INSERT INTO ${q('bench_employees')} (${['name', 'email', 'department', 'salary', 'version'].map(q).join(', ')}) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')})`;
  const rows: ReportRow[] = [];
  const add = (measurement: ReportRow['measurement'], baseline?: ReportRow['measurement']) =>
    rows.push({ dialect, measurement, baseline });

  const save = await measure('TypeORM save()', n, (i) => typeorm.save(typeorm.create(row(i))));
  const raw = await measure('raw INSERT', n, (i) => {
    const r = row(n + i);
    return ds.query(insertSql, [r.name, r.email, r.department, r.salary, 1]);
  });
  const create = await measure('repo.create()', n, (i) => repo.create(row(2 * n + i)));
  add(save);
  add(raw, save);
  add(create, save);

  const ids = (await typeorm.find({ select: { id: true } })).map((e) => e.id);
  const id = (i: number) => ids[Math.abs(i) % ids.length]!;
  const findOneBy = await measure('TypeORM findOneBy()', n, (i) =>
    typeorm.findOneBy({ id: id(i) }),
  );
  const rawSelect = await measure('raw SELECT by pk', n, (i) =>
    ds.query(`SELECT * FROM ${q('bench_employees')} WHERE ${q('id')} = ${p(1)}`, [id(i)]),
  );
  const findById = await measure('repo.findById()', n, (i) => repo.findById(id(i)));
  add(findOneBy);
  add(rawSelect, findOneBy);
  add(findById, findOneBy);

  const listN = Math.max(50, Math.floor(n / 5));
  const find = await measure('TypeORM find(where, take 50)', listN, () =>
    typeorm.find({
      where: { salary: LessThan(60_000), department: In(['eng', 'ops']) },
      order: { id: 'ASC' },
      take: 50,
    }),
  );
  const list = await measure('repo.list(filters, limit 50)', listN, () =>
    repo.list({ filters: { salary__lt: 60_000, department__in: ['eng', 'ops'] }, limit: 50 }),
  );
  add(find);
  add(list, find);

  const tUpdate = await measure('TypeORM update()', n, (i) =>
    typeorm.update({ id: id(i) }, { salary: 1 + Math.abs(i) }),
  );
  const update = await measure('repo.update()', n, (i) =>
    repo.update(id(i), { salary: 2 + Math.abs(i) }),
  );
  add(tUpdate);
  add(update, tUpdate);

  await ds.destroy();
  rows.push(...(await orderedListRows(dialect, Math.max(200, Math.floor(n / 4)))));
  return rows;
}
