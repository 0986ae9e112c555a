import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IsDate, IsInt, IsOptional, IsString } from 'class-validator';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { BaseRepository, type DialectName } from '../../src';
import { openBenchDataSource } from '../dialects';
import { throughput, timed, type Measurement, type ReportRow } from '../harness';

/** An orders-like table: 8 data columns, a generated key and a unique order number. */
@Entity('bench_orders')
export class BenchOrder {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 24, unique: true }) orderNo!: string;
  @Column({ type: Number }) customerId!: number;
  @Column({ type: String, length: 32 }) sku!: string;
  @Column({ type: Number }) quantity!: number;
  @Column({ type: 'decimal', precision: 10, scale: 2 }) unitPrice!: string;
  @Column({ type: String, length: 16 }) status!: string;
  @Column({ type: Date }) orderedAt!: Date;
  @Column({ type: String, length: 100, nullable: true }) note!: string | null;
}

export class OrderDto {
  @IsString() orderNo!: string;
  @IsInt() customerId!: number;
  @IsString() sku!: string;
  @IsInt() quantity!: number;
  @IsString() unitPrice!: string;
  @IsString() status!: string;
  @IsDate() orderedAt!: Date;
  @IsOptional() @IsString() note?: string | null;
}

class UpdateOrderDto {
  @IsOptional() @IsString() status?: string;
  @IsOptional() @IsString() note?: string | null;
}

const COLUMNS = [
  'orderNo',
  'customerId',
  'sku',
  'quantity',
  'unitPrice',
  'status',
  'orderedAt',
  'note',
] as const;
const STATUSES = ['new', 'paid', 'shipped', 'cancelled'];
const EPOCH = Date.UTC(2024, 0, 1);

export function order(i: number, tag = 'o'): Omit<BenchOrder, 'id'> {
  return {
    orderNo: `${tag}${i}`,
    customerId: i % 5000,
    sku: `SKU-${i % 997}`,
    quantity: 1 + (i % 9),
    unitPrice: `${(i % 10000) / 100 + 1}`,
    status: STATUSES[i % 4]!,
    orderedAt: new Date(EPOCH + i * 1000),
    note: i % 3 === 0 ? null : `note ${i}`,
  };
}

/** A row's values for a raw statement; SQLite cannot bind a Date, so it gets TypeORM's text form. */
const values = (r: Omit<BenchOrder, 'id'>, dialect?: DialectName) =>
  COLUMNS.map((c) => {
    const v = r[c];
    return dialect === 'sqlite' && v instanceof Date
      ? v.toISOString().replace('T', ' ').replace('Z', '')
      : v;
  });

/**
 * Bulk loads of `n` rows: this library against TypeORM, the raw driver and (on PostgreSQL)
 * unnest and COPY, plus an upsert of half-existing rows and a filtered bulk update.
 */
export async function bulkSuite(dialect: DialectName, n: number): Promise<ReportRow[]> {
  const ds: DataSource = await openBenchDataSource(dialect, [BenchOrder]);
  const orm = ds.getRepository(BenchOrder);
  const repo = new BaseRepository<BenchOrder, OrderDto, UpdateOrderDto>(ds, BenchOrder, {
    createDto: OrderDto,
    updateDto: UpdateOrderDto,
  });
  const q = (s: string) => ds.driver.escape(s);
  const names = COLUMNS.map((c) => q(c)).join(', ');
  const table = q('bench_orders');
  const ph = (rowCount: number, offset = 0) =>
    Array.from({ length: rowCount }, (_, r) => {
      const cells = COLUMNS.map((_, c) =>
        dialect === 'postgres' ? `$${offset + r * COLUMNS.length + c + 1}` : '?',
      );
      return `(${cells.join(', ')})`;
    }).join(', ');
  const data = (tag: string) => Array.from({ length: n }, (_, i) => order(i, tag));
  const reset = () => orm.clear();
  const rows: ReportRow[] = [];
  const add = (m: Measurement, baseline?: Measurement) =>
    rows.push({ dialect, measurement: m, baseline });

  const rawInsert = async (input: Omit<BenchOrder, 'id'>[], chunk = 1000, suffix = '') => {
    for (let i = 0; i < input.length; i += chunk) {
      const part = input.slice(i, i + chunk);
      await ds.query(
        `INSERT INTO ${table} (${names}) VALUES ${ph(part.length)}${suffix}`,
        part.flatMap((r) => values(r, dialect)),
      );
    }
  };

  /** PostgreSQL: `INSERT … SELECT FROM unnest($1::t[], …)`, one array parameter per column. */
  const rawUnnest = async (input: Omit<BenchOrder, 'id'>[], suffix: string) => {
    const types = [
      'varchar',
      'int',
      'varchar',
      'int',
      'numeric',
      'varchar',
      'timestamp',
      'varchar',
    ];
    const casts = types.map((t, k) => `$${k + 1}::${t}[]`).join(', ');
    for (let i = 0; i < input.length; i += 5000) {
      const part = input.slice(i, i + 5000);
      await ds.query(
        `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${casts})${suffix}`,
        COLUMNS.map((c) => part.map((r) => r[c])),
      );
    }
  };

  /** PostgreSQL: one COPY of all the rows, streamed 1000 rows a chunk. */
  const rawCopy = async (input: Omit<BenchOrder, 'id'>[]) => {
    const runner = ds.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const text = (v: unknown) =>
        v === null
          ? '\\N'
          : v instanceof Date
            ? v.toISOString()
            : String(v).replace(/[\\\t\n]/g, '\\$&');
      // 1000 rows per stream chunk: one write per row would measure the stream, not COPY.
      const lines = Readable.from(
        (function* () {
          for (let i = 0; i < input.length; i += 1000) {
            yield input
              .slice(i, i + 1000)
              .map((r) => values(r).map(text).join('\t') + '\n')
              .join('');
          }
        })(),
      );
      await pipeline(lines, client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN`)));
    } finally {
      await runner.release();
    }
  };

  const turnRounds = Math.max(1, Number(process.env.BENCH_BULK_ROUNDS ?? 3));
  type Case = readonly [name: string, run: (round: number) => Promise<unknown>];
  /**
   * The cases that the targets compare run in turns, BENCH_BULK_ROUNDS times each (3), each
   * after `prepare`, and report their medians: one slow round (a checkpoint, the other database
   * waking up) would otherwise decide a ratio.
   */
  const inTurns = async (cases: readonly Case[], prepare: () => Promise<unknown>) => {
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    for (let r = 0; r < turnRounds; r++) {
      for (const [name, run] of cases) {
        await prepare();
        times.get(name)!.push((await timed(name, n, () => run(r))).totalMs);
      }
    }
    const label = (name: string) => (turnRounds > 1 ? `${name} (median of ${turnRounds})` : name);
    const medians = new Map<string, Measurement>();
    for (const [name, samples] of times) {
      medians.set(name, throughput(label(name), n, median(samples)));
    }
    return (name: string) => medians.get(name)!;
  };

  const RAW = 'raw multi-row INSERT (1000/stmt)';
  const BULK = 'repo.bulkCreate() (defaults: ids, validation)';
  const NO_IDS = 'repo.bulkCreate({ returnIds: false, validate: false })';
  const RETURNING = 'raw multi-row INSERT … RETURNING id (1000/stmt)';
  const UNNEST = 'raw unnest INSERT … RETURNING id (5000/stmt)';
  const COPY = 'raw COPY FROM STDIN';
  const loads: Case[] = [
    [RAW, (r) => rawInsert(data(`l${r}_`))],
    [BULK, (r) => repo.bulkCreate(data(`l${r}_`))],
    [NO_IDS, (r) => repo.bulkCreate(data(`l${r}_`), { returnIds: false, validate: false })],
  ];
  if (dialect === 'sqlite') {
    // RETURNING itself costs SQLite a share of the raw rate: the like-for-like baseline for ids.
    loads.push([RETURNING, (r) => rawInsert(data(`l${r}_`), 1000, ` RETURNING ${q('id')}`)]);
  }
  if (dialect === 'postgres') {
    loads.push([UNNEST, (r) => rawUnnest(data(`l${r}_`), ' RETURNING id')]);
    loads.push([COPY, (r) => rawCopy(data(`l${r}_`))]);
  }
  const load = await inTurns(loads, reset);
  const raw = load(RAW);
  const bulk = load(BULK);
  const noIds = load(NO_IDS);
  add(raw);

  await reset();
  const save = await timed('TypeORM save(rows, { chunk: 1000 })', n, () =>
    orm.save(
      data('s').map((r) => orm.create(r)),
      { chunk: 1000 },
    ),
  );
  add(save, raw);
  await reset();
  const insert = await timed('TypeORM insert() in 1000-row chunks', n, async () => {
    const all = data('i');
    for (let i = 0; i < all.length; i += 1000) await orm.insert(all.slice(i, i + 1000));
  });
  add(insert, raw);
  add(bulk, raw);
  add(noIds, raw);
  if (dialect === 'sqlite') {
    add(load(RETURNING), raw);
    add({ ...bulk, name: 'repo.bulkCreate() vs INSERT … RETURNING' }, load(RETURNING));
  }
  if (dialect === 'postgres') {
    add(load(UNNEST), raw);
    add(load(COPY), raw);
    add({ ...bulk, name: 'repo.bulkCreate() vs unnest' }, load(UNNEST));
    add({ ...noIds, name: 'repo.bulkCreate(no ids) vs COPY' }, load(COPY));
  }

  const few = Math.min(5000, n);
  await reset();
  const single = await timed(`row-by-row INSERT (${few} rows)`, few, async () => {
    for (const r of data('x').slice(0, few))
      await ds.query(`INSERT INTO ${table} (${names}) VALUES ${ph(1)}`, values(r, dialect));
  });
  add(single, raw);

  // Upsert: half the rows exist. Baseline: the raw dialect upsert of the same rows.
  const half = data('h');
  const mixed = half.map((r, i) =>
    i % 2 === 0 ? { ...r, quantity: r.quantity + 1 } : order(n + i, 'h'),
  );
  const upsertSuffix =
    dialect === 'mysql'
      ? ` ON DUPLICATE KEY UPDATE ${COLUMNS.filter((c) => c !== 'orderNo')
          .map((c) => `${q(c)} = VALUES(${q(c)})`)
          .join(', ')}`
      : ` ON CONFLICT (${q('orderNo')}) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'orderNo')
          .map((c) => `${q(c)} = EXCLUDED.${q(c)}`)
          .join(', ')}`;
  const RAW_UPSERT = 'raw INSERT … ON CONFLICT/DUPLICATE (half exist)';
  const UPSERT = 'repo.bulkUpsert() (half exist)';
  const UNNEST_UPSERT = 'raw unnest INSERT … ON CONFLICT (half exist)';
  const upserts: Case[] = [
    [RAW_UPSERT, () => rawInsert(mixed, 1000, upsertSuffix)],
    [UPSERT, () => repo.bulkUpsert(mixed, { conflictTarget: ['orderNo'] })],
  ];
  // PostgreSQL's fastest raw upsert: unnest with ON CONFLICT, 5000 rows a statement.
  if (dialect === 'postgres') upserts.push([UNNEST_UPSERT, () => rawUnnest(mixed, upsertSuffix)]);
  const upsert = await inTurns(upserts, async () => {
    await reset();
    await rawInsert(half);
  });
  add(upsert(RAW_UPSERT));
  add(upsert(UPSERT), upsert(RAW_UPSERT));
  if (dialect === 'postgres') {
    add(upsert(UNNEST_UPSERT), upsert(RAW_UPSERT));
    add({ ...upsert(UPSERT), name: 'repo.bulkUpsert() vs unnest upsert' }, upsert(UNNEST_UPSERT));
  }

  // Bulk update and delete by filter against the same raw statements, on the same rows. Each
  // pair alternates over several rounds after a warm-up, so neither side gets the cold cache.
  const p1 = dialect === 'postgres' ? '$1' : '?';
  const p2 = dialect === 'postgres' ? '$2' : '?';
  const rawSql = `UPDATE ${table} SET ${q('note')} = ${p1} WHERE ${q('status')} = ${p2}`;
  const rounds = 6;
  const affected = n / 4;
  const updateRaw: number[] = [];
  const updateBulk: number[] = [];
  await ds.query(rawSql, ['warm', 'paid']);
  // The sides take turns going first, and write values of equal length: InnoDB's cost depends on
  // whether a row grows, so 'bulk0' against 'raw0' alone once made the same SQL 1.4x slower.
  for (let r = 0; r < rounds; r++) {
    const raw = async () =>
      updateRaw.push(
        (await timed('raw', affected, () => ds.query(rawSql, [`a${r}`, 'paid']))).totalMs,
      );
    const bulk = async () =>
      updateBulk.push(
        (
          await timed('bulk', affected, () =>
            repo.bulkUpdate({ status: 'paid' }, { note: `b${r}` }, { emitEvents: false }),
          )
        ).totalMs,
      );
    if (r % 2 === 0) {
      await raw();
      await bulk();
    } else {
      await bulk();
      await raw();
    }
  }
  const rawUpdate = throughput(
    'raw UPDATE … WHERE status = ? (median of 6)',
    affected,
    median(updateRaw),
  );
  add(rawUpdate);
  add(
    throughput('repo.bulkUpdate({ status: paid }) (median of 6)', affected, median(updateBulk)),
    rawUpdate,
  );

  // Deletes: each side removes its own quarter of the table (hard delete, as the raw statement).
  const rawDelete = await timed('raw DELETE … WHERE status = ?', affected, () =>
    ds.query(`DELETE FROM ${table} WHERE ${q('status')} = ${p1}`, ['paid']),
  );
  add(rawDelete);
  const bulkDelete = await timed('repo.bulkDelete({ status }, { soft: false })', affected, () =>
    repo.bulkDelete({ status: 'shipped' }, { soft: false, emitEvents: false }),
  );
  add(bulkDelete, rawDelete);

  await ds.destroy();
  return rows;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
