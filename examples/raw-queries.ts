/**
 * Raw queries: `repo.query(sql, params, { fetch })` with named `:params`.
 * `npx ts-node examples/raw-queries.ts` runs on an in-memory SQLite database unless DATABASE_URL
 * is set; the same SQL text runs on PostgreSQL and MySQL/MariaDB.
 */
import 'reflect-metadata';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import { BaseRepository, QueryError, type RepositoryOptions } from 'typeorm-base-repository';

// Lower-case column names keep the SQL below the same on every dialect (no quoting needed).
@Entity('raw_query_orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 50 }) customer!: string;
  @Column({ type: Number }) total!: number;
  @Column({ type: String, length: 20 }) status!: string;
  @Column({ type: Date, name: 'placed_at' }) placedAt!: Date;
}

class CreateOrderDto {
  @IsString() customer!: string;
  @IsInt() @Min(0) total!: number;
  @IsIn(['open', 'paid', 'shipped']) status!: string;
  @IsDate() placedAt!: Date;
}

class UpdateOrderDto {
  @IsOptional() @IsIn(['open', 'paid', 'shipped']) status?: string;
}

class OrderRepository extends BaseRepository<Order, CreateOrderDto, UpdateOrderDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Order>>) {
    super(dataSource, Order, { createDto: CreateOrderDto, updateDto: UpdateOrderDto, ...options });
  }
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Order], synchronize: true });
  await dataSource.initialize();
  console.log(`Connected to ${dataSource.options.type}.`);
  await dataSource.getRepository(Order).clear();
  const orders = new OrderRepository(dataSource);
  const day = (d: number) => new Date(Date.UTC(2024, 4, d, 12));
  const created = [];
  for (const [customer, total, status, d] of [
    ['ada', 120, 'paid', 1],
    ['ada', 80, 'open', 3],
    ['bob', 45, 'open', 2],
    ['eve', 300, 'paid', 4],
  ] as const) {
    created.push(await orders.create({ customer, total, status, placedAt: day(d) }));
  }

  console.log('\n1. named parameters: a Date used twice, bound as each dialect stores it');
  const spent = await orders.query<{ customer: string; spent: unknown; recent: unknown }>(
    `SELECT customer, SUM(total) AS spent,
            SUM(CASE WHEN placed_at >= :since THEN total ELSE 0 END) AS recent
       FROM raw_query_orders
      WHERE status <> :skip OR placed_at >= :since
      GROUP BY customer ORDER BY customer`,
    { since: day(3), skip: 'open' },
  );
  for (const row of spent) {
    console.log(`  ${row.customer}: ${Number(row.spent)} (since May 3: ${Number(row.recent)})`);
  }

  console.log('\n2. an array in IN (:ids) expands on every dialect; an empty one matches nothing');
  const ids = [created[0]!.id, created[2]!.id];
  const picked = await orders.query<{ id: number; customer: string }>(
    'SELECT id, customer FROM raw_query_orders WHERE id IN (:ids) ORDER BY id',
    { ids },
  );
  console.log(`  IN (${ids.join(', ')}) → ${picked.map((r) => r.customer).join(', ')}`);
  const none = await orders.query('SELECT id FROM raw_query_orders WHERE id IN (:ids)', {
    ids: [],
  });
  console.log(`  IN ([]) → ${none.length} rows`);

  console.log("\n3. fetch: 'one' and 'none'");
  const biggest = await orders.query<{ customer: string; total: unknown }>(
    'SELECT customer, total FROM raw_query_orders WHERE total = (SELECT MAX(total) FROM raw_query_orders)',
    {},
    { fetch: 'one' },
  );
  console.log(`  one  → ${biggest?.customer} (${Number(biggest?.total)})`);
  const shipped = await orders.query(
    'UPDATE raw_query_orders SET status = :to WHERE status = :from',
    { to: 'shipped', from: 'paid' },
    { fetch: 'none' },
  );
  console.log(`  none → ${shipped} rows shipped`);

  console.log('\n4. refused before any SQL runs');
  for (const [sql, params] of [
    ['DROP TABLE raw_query_orders', {}],
    ['DELETE FROM raw_query_orders; DELETE FROM other_table', {}],
    ['SELECT * FROM raw_query_orders WHERE id = :id', {}],
    ['SELECT * FROM raw_query_orders WHERE id = :id', { id: 1, idd: 2 }],
  ] as const) {
    try {
      await orders.query(sql, params);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      console.log(`  ${error.code} (${error.subject})`);
    }
  }

  console.log('\n5. inside a transaction: a rollback undoes the raw write too');
  try {
    await orders.transaction(async (tx) => {
      await tx.query('DELETE FROM raw_query_orders WHERE customer = :customer', {
        customer: 'ada',
      });
      throw new Error('changed my mind');
    });
  } catch (error) {
    console.log(`  rolled back: ${(error as Error).message}`);
  }
  const count = await orders.query<{ n: unknown }>(
    'SELECT COUNT(*) AS n FROM raw_query_orders',
    {},
    { fetch: 'one' },
  );
  console.log(`  orders left: ${Number(count?.n)}`);

  console.log('\n6. allowAdmin: true lets DDL through (for migrations and maintenance scripts)');
  const admin = new OrderRepository(dataSource, { allowAdmin: true });
  await admin.query('CREATE TABLE raw_query_scratch (id INT)');
  await admin.query('DROP TABLE raw_query_scratch');
  console.log('  created and dropped raw_query_scratch');

  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
