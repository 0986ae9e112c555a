/**
 * A service's first program against the packed tarball: compiled with `strict` against the
 * package's own types, with the service's own TypeORM and class-validator. Prints one line per
 * check and exits non-zero on the first failure.
 */
import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import {
  Column,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  VersionColumn,
  type DataSourceOptions,
  type Logger,
} from 'typeorm';
import {
  BaseRepository,
  dataSourceOptionsFromUrl,
  LruCacheStore,
  TransientDatabaseError,
  ValidationError,
  withTransaction,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('smoke_accounts')
class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 50 }) owner!: string;
  @Column({ type: Number }) balance!: number;
  @VersionColumn() version!: number;
}

class CreateAccount {
  @IsString() owner!: string;
  @IsInt() @Min(0) balance!: number;
}

class UpdateAccount {
  @IsOptional() @IsInt() @Min(0) balance?: number;
}

class AccountRepository extends BaseRepository<Account, CreateAccount, UpdateAccount> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Account>>) {
    super(dataSource, Account, { createDto: CreateAccount, updateDto: UpdateAccount, ...options });
  }
}

/** Counts the SELECTs that reach the database, to tell a cache hit from a read. */
class SelectCounter implements Logger {
  selects = 0;
  logQuery(query: string): void {
    if (/^\s*SELECT/i.test(query)) this.selects++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

async function smoke(name: string, options: DataSourceOptions): Promise<void> {
  const logger = new SelectCounter();
  const dataSource = await new DataSource({
    ...options,
    entities: [Account],
    synchronize: true,
    dropSchema: true,
    logging: true,
    logger,
  } as DataSourceOptions).initialize();
  const accounts = new AccountRepository(dataSource, { retry: { maxRetries: 5 } });

  const ada = await accounts.create({ owner: 'ada', balance: 100 });
  assert.equal((await accounts.findById(ada.id))?.balance, 100);
  const refused = await accounts.create({ owner: 'bob', balance: -1 }).catch((e: unknown) => e);
  assert.ok(refused instanceof ValidationError, 'a bad DTO is a ValidationError');
  console.log(`${name}: CRUD ok`);

  const bulk = await accounts.bulkCreate([
    { owner: 'b', balance: 5 },
    { owner: 'c', balance: 500 },
    { owner: 'd', balance: -5 },
  ]);
  assert.equal(bulk.successCount, 2);
  assert.deepEqual(
    bulk.errors.map((e) => [e.index, e.code]),
    [[2, 'VALIDATION_FAILED']],
  );
  const poor = await accounts.list({ filters: { balance__lt: 200 }, orderBy: '-balance' });
  assert.deepEqual(
    poor.map((a) => a.owner),
    ['ada', 'b'],
  );
  console.log(`${name}: bulkCreate and a filter ok`);

  // Two transactions take the same two rows in opposite orders: one is chosen as the deadlock
  // victim and run again by the retry, so both transfers land.
  if (name === 'postgres') {
    const [b, c] = [bulk.createdIds[0]!, bulk.createdIds[1]!];
    let runs = 0;
    const transfer = (from: number, to: number) =>
      withTransaction(
        dataSource,
        async (manager) => {
          runs++;
          const tx = accounts.withManager(manager);
          await tx.update(from, { balance: (await tx.findById(from))!.balance - 1 });
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.update(to, { balance: (await tx.findById(to))!.balance + 1 });
        },
        { isolationLevel: 'READ COMMITTED', retry: { maxRetries: 5 } },
      );
    await Promise.all([transfer(Number(b), Number(c)), transfer(Number(c), Number(b))]);
    assert.ok(runs >= 3, `a deadlock was retried (${runs} runs)`);
    const [after1, after2] = [await accounts.findById(b), await accounts.findById(c)];
    assert.equal(after1!.balance + after2!.balance, 505);
    console.log(`${name}: a transaction retried after a deadlock (${runs} runs) ok`);
  }
  assert.ok(TransientDatabaseError.name === 'TransientDatabaseError');

  const cached = new AccountRepository(dataSource, {
    cache: { store: new LruCacheStore({ max: 100 }), ttlSeconds: 60 },
  });
  await cached.findById(ada.id);
  const before = logger.selects;
  assert.equal((await cached.findById(ada.id))?.owner, 'ada');
  assert.equal(logger.selects, before, 'the second findById is served by the cache');
  console.log(`${name}: a cache hit (0 queries) ok`);
  await dataSource.destroy();
}

async function main(): Promise<void> {
  // better-sqlite3, or sqlite3 where SQLITE_DRIVER says so (TypeORM 0.3).
  const sqlite = dataSourceOptionsFromUrl('sqlite::memory:');
  await smoke(`sqlite (${sqlite.type})`, sqlite);
  const url = process.env.SMOKE_POSTGRES_URL;
  if (url) {
    // A schema of its own: dropSchema clears only what this program made.
    const admin = await new DataSource({ type: 'postgres', url }).initialize();
    await admin.query('CREATE SCHEMA IF NOT EXISTS tbr_package_smoke');
    await admin.destroy();
    await smoke('postgres', { type: 'postgres', url, schema: 'tbr_package_smoke' });
  }
  console.log('Done.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
