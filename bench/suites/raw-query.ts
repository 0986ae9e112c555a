import { IsInt, IsOptional, IsString } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { BaseRepository, type DialectName } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { compileRawQuery } from '../../src/query/raw-query-compiler';
import { measure, type ReportRow } from '../harness';
import { openBenchDataSource } from '../dialects';

@Entity('bench_raw_accounts')
class BenchAccount {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 50 }) owner!: string;
  @Column({ type: Number }) balance!: number;
}

class CreateDto {
  @IsString() owner!: string;
  @IsInt() balance!: number;
}

class UpdateDto {
  @IsOptional() @IsInt() balance?: number;
}

const ROWS = 1000;
const LIST = 100;

/**
 * `repo.query()` against `DataSource.query()` running the same statement with positional
 * placeholders written by hand: what the named-parameter scan, the guard and the value
 * conversion cost per call. Also the scan alone, without a database.
 */
export async function rawQuerySuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds: DataSource = await openBenchDataSource(dialect, [BenchAccount]);
  const repo = new BaseRepository<BenchAccount, CreateDto, UpdateDto>(ds, BenchAccount, {
    createDto: CreateDto,
    updateDto: UpdateDto,
  });
  await repo.bulkCreate(
    Array.from({ length: ROWS }, (_, i) => ({ owner: `owner ${i % 50}`, balance: i })),
  );
  const ids = (await ds.query('SELECT id FROM bench_raw_accounts')).map((r: { id: unknown }) =>
    Number(r.id),
  );
  const id = (i: number) => ids[Math.abs(i) % ids.length]!;
  const p = (i: number) => (dialect === 'postgres' ? `$${i}` : '?');
  const rows: ReportRow[] = [];
  const add = (measurement: ReportRow['measurement'], baseline?: ReportRow['measurement']) =>
    rows.push({ dialect, measurement, baseline });

  const byIdSql =
    'SELECT id, owner, balance FROM bench_raw_accounts WHERE id = :id AND balance >= :min';
  const rawById = await measure('DataSource.query, positional', n, (i) =>
    ds.query(
      `SELECT id, owner, balance FROM bench_raw_accounts WHERE id = ${p(1)} AND balance >= ${p(2)}`,
      [id(i), 0],
    ),
  );
  const named = await measure('repo.query, named', n, (i) =>
    repo.query(byIdSql, { id: id(i), min: 0 }, { fetch: 'one' }),
  );
  add(rawById);
  add(named, rawById);

  const list = (i: number) => Array.from({ length: LIST }, (_, k) => id(i * LIST + k));
  const listN = Math.max(50, Math.floor(n / 4));
  const rawIn =
    dialect === 'postgres'
      ? 'SELECT id FROM bench_raw_accounts WHERE id = ANY($1)'
      : `SELECT id FROM bench_raw_accounts WHERE id IN (${Array(LIST).fill('?').join(', ')})`;
  const rawList = await measure(`DataSource.query, IN ${LIST} ids`, listN, (i) =>
    ds.query(rawIn, dialect === 'postgres' ? [list(i)] : list(i)),
  );
  const namedList = await measure(`repo.query, IN (:ids) ${LIST} ids`, listN, (i) =>
    repo.query('SELECT id FROM bench_raw_accounts WHERE id IN (:ids)', { ids: list(i) }),
  );
  add(rawList);
  add(namedList, rawList);

  // The scan alone: tokenize, guard, bind. Measured against a no-op to show absolute time.
  const adapter = adapterFor(ds);
  const noop = await measure('(no-op)', n * 10, () => Promise.resolve());
  const compile = await measure('compile only (no database)', n * 10, (i) =>
    Promise.resolve(
      compileRawQuery(byIdSql, { id: id(i), min: 0 }, adapter, { allowAdmin: false }),
    ),
  );
  add(noop);
  add(compile, noop);

  await ds.query('DROP TABLE bench_raw_accounts');
  await ds.destroy();
  return rows;
}
