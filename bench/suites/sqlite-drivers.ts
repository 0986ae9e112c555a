import { mkdirSync, rmSync } from 'node:fs';
import { IsOptional, IsString } from 'class-validator';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { BaseRepository, dataSourceOptionsFromUrl, type DialectName } from '../../src';
import { hasNodeSqlite3Driver } from '../../src/compat/typeorm-versions';
import {
  benchEmployeeEntity,
  BenchCreateDto,
  BenchUpdateDto,
  benchEmployeeRow,
} from '../bench-employee';
import { measure, timed, type Measurement, type ReportRow } from '../harness';
import { BenchOrder, order, OrderDto } from './bulk';

const BenchEmployee = benchEmployeeEntity('bench_employees');
type BenchEmployee = InstanceType<typeof BenchEmployee>;

class OrderNoteDto {
  @IsOptional() @IsString() note?: string | null;
}

type Driver = 'better-sqlite3' | 'sqlite3';

/**
 * One SQLite file in WAL mode, as in production, through `driver`, at its build's default
 * `synchronous` (better-sqlite3's is NORMAL, node-sqlite3's FULL: a sync at every commit) or at
 * `synchronous`.
 */
async function open(driver: Driver, synchronous?: 'NORMAL'): Promise<DataSource> {
  mkdirSync('.tmp', { recursive: true });
  const file = `.tmp/bench-${driver}.sqlite`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const options = dataSourceOptionsFromUrl(`sqlite:${file}`, { SQLITE_DRIVER: driver });
  const ds = new DataSource({
    ...options,
    entities: [BenchEmployee, BenchOrder],
    synchronize: true,
  } as DataSourceOptions);
  await ds.initialize();
  if (synchronous) await ds.query(`PRAGMA synchronous = ${synchronous}`);
  return ds;
}

/** The single-row calls and the bulk loads of one driver, the same work for both. */
async function runDriver(
  driver: Driver,
  n: number,
  bulkN: number,
  synchronous?: 'NORMAL',
): Promise<Measurement[]> {
  const ds = await open(driver, synchronous);
  const repo = new BaseRepository<BenchEmployee, BenchCreateDto, BenchUpdateDto>(
    ds,
    BenchEmployee,
    {
      createDto: BenchCreateDto,
      updateDto: BenchUpdateDto,
    },
  );
  const orders = new BaseRepository<BenchOrder, OrderDto, OrderNoteDto>(ds, BenchOrder, {
    createDto: OrderDto,
    updateDto: OrderNoteDto,
  });
  const label = synchronous ? `${driver}, synchronous=${synchronous}` : driver;
  const name = (what: string) => `${what} (${label})`;
  const out: Measurement[] = [];
  out.push(await measure(name('repo.create()'), n, (i) => repo.create(benchEmployeeRow(i + 100))));
  const ids = (await repo.list({ limit: n })).map((e) => e.id);
  const id = (i: number) => ids[Math.abs(i) % ids.length]!;
  out.push(await measure(name('repo.findById()'), n, (i) => repo.findById(id(i))));
  out.push(
    await measure(name('repo.list(filters, limit 50)'), Math.max(50, n / 5), () =>
      repo.list({ filters: { salary__lt: 60_000, department__in: ['eng', 'ops'] }, limit: 50 }),
    ),
  );
  out.push(
    await measure(name('repo.update()'), n, (i) => repo.update(id(i), { salary: 2 + Math.abs(i) })),
  );
  const rows = Array.from({ length: bulkN }, (_, i) => order(i));
  out.push(
    await timed(name(`bulkCreate ${bulkN} rows, ids`), bulkN, () => orders.bulkCreate(rows)),
  );
  const upsert = Array.from({ length: bulkN }, (_, i) => order(i + bulkN / 2));
  out.push(
    await timed(name(`bulkUpsert ${bulkN} rows, half new`), bulkN, () =>
      orders.bulkUpsert(upsert, { conflictTarget: ['orderNo'] }),
    ),
  );
  out.push(
    await timed(name(`bulkUpdate of ${bulkN / 4} rows`), bulkN / 4, () =>
      orders.bulkUpdate({ status: 'paid' }, { note: 'bulk' }),
    ),
  );
  await ds.destroy();
  return out;
}

/**
 * SQLite through node-sqlite3 (TypeORM 0.3's `type: 'sqlite'`) against better-sqlite3, the
 * baseline, in the same run: the same calls on the same kind of file. Needs TypeORM 0.3 (run it
 * as docs/performance.md says); elsewhere, and on servers, it measures nothing.
 */
export async function sqliteDriversSuite(
  dialect: DialectName,
  n: number,
  bulkN: number,
): Promise<ReportRow[]> {
  if (dialect !== 'sqlite') return [];
  if (!hasNodeSqlite3Driver()) {
    console.warn('bench: sqlite-drivers needs TypeORM 0.3 (see docs/performance.md); skipped');
    return [];
  }
  const baseline = await runDriver('better-sqlite3', n, bulkN);
  const measured = await runDriver('sqlite3', n, bulkN);
  // The same durability as better-sqlite3's default, to tell the driver's cost from the sync's.
  const normal = await runDriver('sqlite3', n, bulkN, 'NORMAL');
  return baseline.flatMap((b, i) => [
    { dialect, measurement: b },
    { dialect, measurement: measured[i]!, baseline: b },
    { dialect, measurement: normal[i]!, baseline: b },
  ]);
}
