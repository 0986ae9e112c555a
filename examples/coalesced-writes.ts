/**
 * Write coalescing: `npx ts-node --transpile-only examples/coalesced-writes.ts`. Many concurrent
 * "request handlers" each create one order; their creates become a few bulk INSERTs. Runs on an
 * in-memory SQLite database unless DATABASE_URL is set.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type DataSource,
} from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  ConflictError,
  coalescerOptionsFromEnv,
  ValidationError,
  WriteCoalescer,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('coalesced_example_orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 40, unique: true }) reference!: string;
  @Column({ type: Number }) amountCents!: number;
  @Column({ type: String, length: 20, default: 'new' }) status!: string;
  @Column({ type: String, length: 40 }) shop!: string;
  @VersionColumn() version!: number;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
}

class CreateOrderDto {
  @IsString() @Length(1, 40) reference!: string;
  @IsInt() @Min(1) amountCents!: number;
  @IsOptional() @IsString() status?: string;
}

class UpdateOrderDto {
  @IsOptional() @IsString() status?: string;
}

/** The shop (tenant) of the request being handled. */
const currentShop = new AsyncLocalStorage<string>();

class OrderRepository extends BaseRepository<Order, CreateOrderDto, UpdateOrderDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Order>>) {
    super(dataSource, Order, {
      createDto: CreateOrderDto,
      updateDto: UpdateOrderDto,
      tenant: { column: 'shop', resolve: () => currentShop.getStore() },
      ...options,
    });
  }
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Order], synchronize: true });
  await dataSource.initialize();
  await dataSource.getRepository(Order).clear();
  console.log(`Connected to ${dataSource.options.type}.`);

  // One coalescer for the process; BATCHED_CREATE_ENABLED and INSERT_BATCH_SIZE may override.
  const coalescer = new WriteCoalescer({
    maxBatchSize: 100,
    maxWaitMs: 2,
    ...coalescerOptionsFromEnv(),
  });
  const orders = new OrderRepository(dataSource, { coalescer });
  orders.on('bulkCreated', (e) =>
    console.log(`  flush: ${e.count} orders of shop ${e.tenantId} stored together`),
  );

  console.log('\n1. 300 concurrent handlers, two shops, one createBatched each');
  const handle = (i: number) =>
    currentShop.run(i % 2 === 0 ? 'north' : 'south', () =>
      orders.createBatched({ reference: `ord-${i}`, amountCents: 100 + i }),
    );
  const created = await Promise.all(Array.from({ length: 300 }, (_, i) => handle(i)));
  const first = created[0]!;
  console.log(
    `  each handler got its own row: #${first.id} ${first.reference}, shop ${first.shop}, ` +
      `status ${first.status}, v${first.version}`,
  );

  console.log('\n2. bad input fails only its own caller');
  const results = await Promise.allSettled([
    handle(1000),
    currentShop.run('north', () => orders.createBatched({ reference: 'ord-0', amountCents: 5 })),
    currentShop.run('north', () => orders.createBatched({ reference: 'ord-x', amountCents: 0 })),
    handle(1001),
  ]);
  for (const result of results) {
    if (result.status === 'fulfilled') console.log(`  stored #${result.value.id}`);
    else if (result.reason instanceof ConflictError || result.reason instanceof ValidationError)
      console.log(`  refused: ${result.reason.code}`);
    else throw result.reason;
  }

  console.log('\n3. forceIndividual: written at once, never waiting for a batch');
  const urgent = await currentShop.run('south', () =>
    orders.createBatched({ reference: 'ord-urgent', amountCents: 999 }, { forceIndividual: true }),
  );
  console.log(`  stored #${urgent.id}`);

  console.log('\n4. metrics');
  const m = orders.coalescerMetrics();
  console.log(
    `  ${m.entries} calls, ${m.batches} batches (${m.batchedEntries} entries), ` +
      `${m.individual.forced} forced, ${m.individual.belowMinBatch} below minBatchSize, ` +
      `errors ${JSON.stringify(m.errors)}, peak pending ${m.peakPending}`,
  );
  console.log(`  stored orders: ${await dataSource.getRepository(Order).count()}`);

  // On shutdown: write what is still queued, then close the connection.
  await coalescer.close();
  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
