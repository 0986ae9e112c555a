/**
 * Bulk import: `npx ts-node --transpile-only examples/bulk-import.ts`. Runs on an in-memory
 * SQLite database unless DATABASE_URL is set.
 */
import 'reflect-metadata';
import { IsEmail, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type DataSource,
} from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  BulkOperationError,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('bulk_example_customers')
class Customer {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 200, unique: true }) email!: string;
  @Column({ type: String, length: 100 }) name!: string;
  @Column({ type: String, length: 20, nullable: true }) tier!: string | null;
  @Column({ type: Number, default: 0 }) points!: number;
  @VersionColumn() version!: number;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
  @DeleteDateColumn() deletedAt!: Date | null;
}

class CreateCustomerDto {
  @IsEmail() email!: string;
  @IsString() @Length(1, 100) name!: string;
  @IsOptional() @IsString() tier?: string;
  @IsOptional() @IsInt() @Min(0) points?: number;
}

class UpdateCustomerDto {
  @IsOptional() @IsString() tier?: string;
  @IsOptional() @IsInt() @Min(0) points?: number;
}

class CustomerRepository extends BaseRepository<Customer, CreateCustomerDto, UpdateCustomerDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Customer>>) {
    super(dataSource, Customer, {
      createDto: CreateCustomerDto,
      updateDto: UpdateCustomerDto,
      ...options,
    });
  }
}

/** A feed of 10,000 customers; every 500th has a bad email, every 700th repeats an earlier one. */
async function* feed(count: number) {
  for (let i = 0; i < count; i++) {
    const email = i % 500 === 499 ? 'not-an-email' : `c${i % 700 === 699 ? i - 1 : i}@example.com`;
    yield { email, name: `Customer ${i}`, ...(i % 3 === 0 ? { tier: 'gold' } : {}) };
  }
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Customer], synchronize: true });
  await dataSource.initialize();
  await dataSource.getRepository(Customer).clear();
  const customers = new CustomerRepository(dataSource);
  console.log(`Connected to ${dataSource.options.type}.`);

  console.log('\n1. bulkCreate from an async iterable, 2,500 rows per batch');
  const loaded = await customers.bulkCreate(feed(10_000), {
    batchSize: 2500,
    onProgress: ({ processed, batches }) =>
      console.log(`  batch ${batches}: ${processed} rows processed`),
  });
  console.log(
    `  stored ${loaded.successCount}, failed ${loaded.errorCount}, in ${loaded.durationMs.toFixed(0)} ms`,
  );
  const byCode = new Map<string, number>();
  for (const e of loaded.errors) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
  console.log(`  errors by code: ${[...byCode].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
  console.log(`  first error: #${loaded.errors[0]?.index} ${loaded.errors[0]?.code}`);
  console.log(
    `  createdIds: ${loaded.createdIds.length} ids, first ${loaded.createdIds.slice(0, 3).join(', ')}`,
  );
  console.log(`  table holds ${await customers.count()} rows`);

  console.log('\n2. dryRun: the planned statements, nothing written');
  const plan = await customers.bulkCreate(
    [
      { email: 'new@example.com', name: 'New' },
      { email: 'x@example.com', name: 'X', tier: 'gold' },
    ],
    { dryRun: true },
  );
  for (const sql of plan.dryRun!.statements) console.log(`  ${sql}`);

  console.log('\n3. bulkUpsert keyed on email: existing rows updated, new ones inserted');
  const upserted = await customers.bulkUpsert(
    [
      { email: 'c0@example.com', name: 'Customer 0', points: 50 },
      { email: 'c1@example.com', name: 'Customer 1', points: 75 },
      { email: 'fresh@example.com', name: 'Fresh' },
    ],
    { conflictTarget: ['email'] },
  );
  console.log(`  inserted ${upserted.insertedCount}, updated ${upserted.updatedCount}`);
  const c0 = await customers.findOne({ email: 'c0@example.com' });
  console.log(`  c0 now has ${c0?.points} points, version ${c0?.version}, tier ${c0?.tier} (kept)`);

  console.log("\n4. onConflict: 'skip' leaves existing rows alone");
  const skipped = await customers.bulkCreate(
    [
      { email: 'c2@example.com', name: 'Dup' },
      { email: 'other@example.com', name: 'Other' },
    ],
    { onConflict: 'skip', conflictTarget: ['email'] },
  );
  console.log(`  inserted ${skipped.insertedCount}, skipped ${skipped.skippedCount}`);

  console.log('\n5. atomic: one bad row and nothing is stored');
  try {
    await customers.bulkCreate(
      [
        { email: 'a1@example.com', name: 'A1' },
        { email: 'c3@example.com', name: 'Dup' },
      ],
      { atomic: true },
    );
  } catch (error) {
    if (!(error instanceof BulkOperationError)) throw error;
    console.log(`  ${error.code}: ${error.errors.map((e) => `#${e.index} ${e.code}`).join(', ')}`);
    console.log(`  a1 stored? ${await customers.exists({ email: 'a1@example.com' })}`);
  }

  console.log('\n6. bulkUpdate and bulkDelete by filter');
  const promoted = await customers.bulkUpdate({ tier: 'gold', points__lt: 10 }, { points: 10 });
  console.log(`  gave 10 points to ${promoted.successCount} gold customers`);
  const removed = await customers.bulkDelete({ email__startswith: 'c9' });
  console.log(`  soft-deleted ${removed.successCount} customers whose email starts with c9`);
  console.log(`  table holds ${await customers.count()} visible rows`);

  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
