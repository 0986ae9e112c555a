/**
 * Optimistic locking: `update` with `expectedVersion`, and `updateWithVersion` with each strategy.
 * Runs on an in-memory SQLite database unless DATABASE_URL is set:
 *   npx ts-node --transpile-only examples/optimistic-locking.ts
 *
 * A second writer is simulated by changing the row from inside the updater, i.e. after
 * `updateWithVersion` read it and before it writes: exactly the window a concurrent request hits.
 */
import 'reflect-metadata';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, VersionColumn, type DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  MergeConflictError,
  OptimisticLockError,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('example_accounts')
class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 100 }) owner!: string;
  @Column({ type: String, length: 100 }) email!: string;
  @Column({ type: Number }) balance!: number;
  @VersionColumn() version!: number;
}

class CreateAccountDto {
  @IsString() owner!: string;
  @IsString() email!: string;
  @IsInt() @Min(0) balance!: number;
}

class UpdateAccountDto {
  @IsOptional() @IsString() owner?: string;
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsInt() @Min(0) balance?: number;
}

class AccountRepository extends BaseRepository<Account, CreateAccountDto, UpdateAccountDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Account>>) {
    super(dataSource, Account, {
      createDto: CreateAccountDto,
      updateDto: UpdateAccountDto,
      // Defaults for every updateWithVersion call of this repository.
      locking: { strategy: 'retry', maxRetries: 3, retryDelayMs: 5, conflictHistorySize: 10 },
      ...options,
    });
  }
}

const show = (a: Account) => `${a.owner} <${a.email}> balance ${a.balance}, v${a.version}`;

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [Account], synchronize: true });
  await dataSource.initialize();
  await dataSource.getRepository(Account).clear();
  const accounts = new AccountRepository(dataSource);
  const created = await accounts.create({ owner: 'Ada', email: 'ada@example.com', balance: 100 });
  const { id } = created;
  console.log(`created: ${show(created)}`);

  /** Another writer changes the row once, after our read and before our write. */
  const interruptedBy = (changes: UpdateAccountDto) => {
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const other = await accounts.update(id, changes);
      console.log(`  (meanwhile another writer stored ${show(other)})`);
    };
  };

  console.log('\n1. update() with a stale expectedVersion changes nothing');
  await accounts.update(id, { balance: 110 });
  try {
    await accounts.update(id, { balance: 0 }, { expectedVersion: created.version });
  } catch (error) {
    if (!(error instanceof OptimisticLockError)) throw error;
    console.log(
      `  ${error.code}: expected v${error.expectedVersion}, found v${error.actualVersion}`,
    );
  }
  console.log(`  stored: ${show((await accounts.findById(id))!)}`);

  console.log("\n2. 'fail-fast': the first conflict is thrown");
  let meanwhile = interruptedBy({ balance: 120 });
  try {
    await accounts.updateWithVersion(
      id,
      async (a) => {
        await meanwhile();
        return { balance: a.balance - 30 };
      },
      { strategy: 'fail-fast' },
    );
  } catch (error) {
    if (!(error instanceof OptimisticLockError)) throw error;
    console.log(`  ${error.code} after ${error.attempts} attempt`);
  }

  console.log("\n3. 'retry': the updater runs again on the fresh row");
  meanwhile = interruptedBy({ balance: 150 });
  const withdrawn = await accounts.updateWithVersion(id, async (a) => {
    console.log(`  updater sees balance ${a.balance} (v${a.version})`);
    await meanwhile();
    return { balance: a.balance - 30 };
  });
  console.log(`  stored: ${show(withdrawn)}`);

  console.log("\n4. 'merge': changes to different fields both land");
  meanwhile = interruptedBy({ email: 'ada@lovelace.example' });
  const merged = await accounts.updateWithVersion(
    id,
    async () => {
      await meanwhile();
      return { owner: 'Ada Lovelace' };
    },
    { strategy: 'merge' },
  );
  console.log(`  stored: ${show(merged)}`);

  console.log('   … the same field changed on both sides is a MergeConflictError');
  meanwhile = interruptedBy({ balance: 200 });
  try {
    await accounts.updateWithVersion(
      id,
      async (a) => {
        await meanwhile();
        return { balance: a.balance + 10 };
      },
      { strategy: 'merge' },
    );
  } catch (error) {
    if (!(error instanceof MergeConflictError)) throw error;
    console.log(`  ${error.code}: ${error.fields.join(', ')}`);
  }

  console.log('   … unless resolve(field, ours, theirs, base) settles it');
  meanwhile = interruptedBy({ balance: 250 });
  const resolved = await accounts.updateWithVersion(
    id,
    async (a) => {
      await meanwhile();
      return { balance: a.balance + 10 };
    },
    {
      strategy: 'merge',
      // A deposit on top of theirs: their balance plus our difference.
      resolve: (field, ours, theirs, base) =>
        field === 'balance' ? Number(theirs) + Number(ours) - Number(base) : theirs,
    },
  );
  console.log(`  stored: ${show(resolved)}`);

  console.log("\n5. 'last-writer-wins': no check, but the version still moves");
  meanwhile = interruptedBy({ balance: 300 });
  const overwritten = await accounts.updateWithVersion(
    id,
    async () => {
      await meanwhile();
      return { balance: 0 };
    },
    { strategy: 'last-writer-wins' },
  );
  console.log(`  stored: ${show(overwritten)}`);

  console.log('\n6. metrics and the latest conflicts');
  console.log(`  lockMetrics(): ${JSON.stringify(accounts.lockMetrics())}`);
  for (const c of accounts.conflictHistory(3)) {
    console.log(`  ${c.entity} #${String(c.id)}: expected v${c.expected}, was v${c.actual}`);
  }

  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
