import { In, LessThan, type DataSource } from 'typeorm';
import { adapterFor, BaseRepository, type DialectName } from '../../src';
import { measureInTurns, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';
import {
  benchEmployeeEntity,
  BenchCreateDto,
  BenchUpdateDto,
  benchEmployeeRow,
} from '../bench-employee';
import { orderedListRows } from './ordered-list';

const BenchEmployee = benchEmployeeEntity('bench_employees');
type BenchEmployee = InstanceType<typeof BenchEmployee>;
const CreateDto = BenchCreateDto;
type CreateDto = BenchCreateDto;
const UpdateDto = BenchUpdateDto;
type UpdateDto = BenchUpdateDto;

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

  // The raw baselines return the row as create() and update() do: `… RETURNING *` where the
  // dialect has it, else the statement and a SELECT by key.
  const { returning } = adapterFor(ds).capabilities;
  const selectById = `SELECT * FROM ${q('bench_employees')} WHERE ${q('id')} = ${p(1)}`;
  let created = 0;
  const fresh = () => benchEmployeeRow(3 * n + created++);
  const [save, raw, create] = await measureInTurns([
    { name: 'TypeORM save()', count: n, op: () => typeorm.save(typeorm.create(fresh())) },
    {
      name: returning.insert ? 'raw INSERT … RETURNING *' : 'raw INSERT + SELECT',
      count: n,
      op: async () => {
        const r = fresh();
        const values = [r.name, r.email, r.department, r.salary, 1];
        if (returning.insert) return ds.query(`${insertSql} RETURNING *`, values);
        const result = (await ds.query(insertSql, values)) as { insertId: number };
        return ds.query(selectById, [result.insertId]);
      },
    },
    { name: 'repo.create()', count: n, op: () => repo.create(fresh()) },
  ]);
  add(save!);
  add(raw!, save);
  add(create!, save);
  add({ ...create!, name: `repo.create() vs ${raw!.name}` }, raw);

  const ids = (await typeorm.find({ select: { id: true } })).map((e) => e.id);
  const id = (i: number) => ids[Math.abs(i) % ids.length]!;
  const [findOneBy, rawSelect, findById] = await measureInTurns([
    { name: 'TypeORM findOneBy()', count: n, op: (i) => typeorm.findOneBy({ id: id(i) }) },
    { name: 'raw SELECT by pk', count: n, op: (i) => ds.query(selectById, [id(i)]) },
    { name: 'repo.findById()', count: n, op: (i) => repo.findById(id(i)) },
  ]);
  add(findOneBy!);
  add(rawSelect!, findOneBy);
  add(findById!, findOneBy);
  add({ ...findById!, name: 'repo.findById() vs raw SELECT by pk' }, rawSelect);

  const listN = Math.max(50, Math.floor(n / 5));
  const [find, list] = await measureInTurns([
    {
      name: 'TypeORM find(where, take 50)',
      count: listN,
      op: () =>
        typeorm.find({
          where: { salary: LessThan(60_000), department: In(['eng', 'ops']) },
          order: { id: 'ASC' },
          take: 50,
        }),
    },
    {
      name: 'repo.list(filters, limit 50)',
      count: listN,
      op: () =>
        repo.list({ filters: { salary__lt: 60_000, department__in: ['eng', 'ops'] }, limit: 50 }),
    },
  ]);
  add(find!);
  add(list!, find);

  const updateSql = `UPDATE ${q('bench_employees')} SET ${q('salary')} = ${p(1)}, ${q('version')} = ${q('version')} + 1 WHERE ${q('id')} = ${p(2)}`;
  let bumped = 0;
  const [tUpdate, rawUpdate, update] = await measureInTurns([
    {
      name: 'TypeORM update()',
      count: n,
      op: (i) => typeorm.update({ id: id(i) }, { salary: 1 + bumped++ }),
    },
    {
      name: returning.update ? 'raw UPDATE … RETURNING *' : 'raw UPDATE + SELECT',
      count: n,
      op: async (i) => {
        const values = [1 + bumped++, id(i)];
        if (returning.update) return ds.query(`${updateSql} RETURNING *`, values);
        await ds.query(updateSql, values);
        return ds.query(selectById, [id(i)]);
      },
    },
    {
      name: 'repo.update()',
      count: n,
      op: (i) => repo.update(id(i), { salary: 1 + bumped++ }),
    },
  ]);
  add(tUpdate!);
  add(rawUpdate!, tUpdate);
  add(update!, tUpdate);
  add({ ...update!, name: `repo.update() vs ${rawUpdate!.name}` }, rawUpdate);

  await ds.destroy();
  rows.push(...(await orderedListRows(dialect, Math.max(200, Math.floor(n / 4)))));
  return rows;
}
