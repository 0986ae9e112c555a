/**
 * Transactions: `repo.transaction`, `withTransaction` across repositories, nesting with
 * savepoints, events after commit, and retry on transient errors.
 * Runs on an in-memory SQLite database unless DATABASE_URL is set:
 *   npx ts-node --transpile-only examples/transactions.ts
 */
import 'reflect-metadata';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, VersionColumn, type DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  TransactionPropagationError,
  TransientDatabaseError,
  withTransaction,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('example_tx_accounts')
class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 100 }) owner!: string;
  @Column({ type: Number }) balance!: number;
  @VersionColumn() version!: number;
}

class CreateAccountDto {
  @IsString() owner!: string;
  @IsInt() @Min(0) balance!: number;
}

class UpdateAccountDto {
  @IsOptional() @IsInt() @Min(0) balance?: number;
}

@Entity('example_tx_transfers')
class Transfer {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: Number }) fromId!: number;
  @Column({ type: Number }) toId!: number;
  @Column({ type: Number }) amount!: number;
}

class CreateTransferDto {
  @IsInt() fromId!: number;
  @IsInt() toId!: number;
  @IsInt() @Min(1) amount!: number;
}

class AccountRepository extends BaseRepository<Account, CreateAccountDto, UpdateAccountDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Account>>) {
    super(dataSource, Account, {
      createDto: CreateAccountDto,
      updateDto: UpdateAccountDto,
      // Defaults for this repository's transaction() calls.
      retry: { maxRetries: 5, initialDelayMs: 10 },
      ...options,
    });
  }
}

class TransferRepository extends BaseRepository<Transfer, CreateTransferDto, object> {
  constructor(dataSource: DataSource) {
    super(dataSource, Transfer, { createDto: CreateTransferDto, updateDto: CreateTransferDto });
  }
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Account, Transfer], synchronize: true });
  await dataSource.initialize();
  await dataSource.getRepository(Transfer).clear();
  await dataSource.getRepository(Account).clear();
  const accounts = new AccountRepository(dataSource);
  const transfers = new TransferRepository(dataSource);
  accounts.on('updated', (e) =>
    console.log(`  event: ${e.record.owner} now has ${e.record.balance}`),
  );

  const ada = await accounts.create({ owner: 'Ada', balance: 100 });
  const bob = await accounts.create({ owner: 'Bob', balance: 0 });
  const balances = async () =>
    (await accounts.list({ orderBy: 'id' })).map((a) => `${a.owner} ${a.balance}`).join(', ');

  console.log('1. repo.transaction: both updates commit together; events fire after COMMIT');
  await accounts.transaction(async (tx) => {
    await tx.update(ada.id, { balance: 70 });
    await tx.update(bob.id, { balance: 30 });
    console.log('  (callback done, nothing fired yet)');
  });
  console.log(`  balances: ${await balances()}`);

  console.log('\n2. A callback that throws rolls everything back and fires nothing');
  try {
    await accounts.transaction(async (tx) => {
      await tx.update(ada.id, { balance: 0 });
      throw new Error('insufficient approval');
    });
  } catch (error) {
    console.log(`  caught: ${(error as Error).message}`);
  }
  console.log(`  balances: ${await balances()}`);

  console.log('\n3. withTransaction across two repositories, SERIALIZABLE, with a savepoint');
  const transfer = async (fromId: number, toId: number, amount: number) =>
    withTransaction(
      dataSource,
      async (manager) => {
        const txAccounts = accounts.withManager(manager);
        const from = (await txAccounts.findById(fromId))!;
        const to = (await txAccounts.findById(toId))!;
        await txAccounts.update(fromId, { balance: from.balance - amount });
        await txAccounts.update(toId, { balance: to.balance + amount });
        // A step in its own savepoint: when it fails, only its own writes roll back.
        await transfers
          .withManager(manager)
          .transaction(async (txTransfers) => {
            await txTransfers.create({ fromId, toId, amount: 1 }); // a fee, say
            throw new Error('fee service unavailable');
          })
          .catch((error: Error) => console.log(`  (${error.message}: the fee row is rolled back)`));
        return transfers.withManager(manager).create({ fromId, toId, amount });
      },
      { isolationLevel: 'SERIALIZABLE', retry: { maxRetries: 3 } },
    );
  const stored = await transfer(ada.id, bob.id, 20);
  console.log(`  transfer #${stored.id} stored; balances: ${await balances()}`);
  console.log(`  transfers in the table: ${await transfers.count()}`);

  console.log('\n4. Retry: a transient error re-runs the whole callback on a fresh transaction');
  let attempts = 0;
  await accounts.transaction(async (tx) => {
    attempts++;
    const current = (await tx.findById(bob.id))!;
    await tx.update(bob.id, { balance: current.balance + 5 });
    // What the dialect adapter raises when the server picks this transaction as a deadlock
    // victim (PostgreSQL 40P01, MySQL 1213) or SQLite reports SQLITE_BUSY.
    if (attempts === 1) throw new TransientDatabaseError('DEADLOCK', 'not-applied', 'deadlock');
  });
  console.log(`  committed after ${attempts} attempts; balances: ${await balances()}`);

  console.log('\n5. An unknown outcome is never retried: check before trying again');
  try {
    await accounts.transaction(async () => {
      throw new TransientDatabaseError('CONNECTION_LOST', 'unknown', 'connection lost at COMMIT');
    });
  } catch (error) {
    if (error instanceof TransientDatabaseError && error.outcome === 'unknown') {
      console.log(`  ${error.code}: re-read the data to learn whether the transaction landed`);
    } else throw error;
  }

  console.log('\n6. Ambient: repositories join withTransaction by themselves, no withManager');
  await withTransaction(dataSource, async () => {
    await accounts.update(ada.id, { balance: 45 });
    await accounts.update(bob.id, { balance: 55 });
    // 'nested': a part that may fail alone rolls back to its savepoint.
    await withTransaction(
      dataSource,
      async () => {
        await transfers.create({ fromId: ada.id, toId: bob.id, amount: 1 });
        throw new Error('fee service unavailable');
      },
      { propagation: 'nested' },
    ).catch((error: Error) => console.log(`  (${error.message}: only the fee row rolled back)`));
  });
  console.log(`  balances: ${await balances()}; transfers: ${await transfers.count()}`);

  console.log("\n7. A joined call ('required') that fails dooms the whole unit, caught or not");
  try {
    await withTransaction(dataSource, async () => {
      await accounts.update(ada.id, { balance: 0 });
      await withTransaction(dataSource, async () => {
        throw new Error('limit check failed');
      }).catch(() => undefined); // swallowed: the unit still must not commit half of itself
    });
  } catch (error) {
    if (!(error instanceof TransactionPropagationError)) throw error;
    console.log(`  ${error.code}: rolled back (${String((error.cause as Error).message)})`);
  }
  console.log(`  balances: ${await balances()}`);

  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
