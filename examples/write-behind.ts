/**
 * Durable write-behind: `npx ts-node --transpile-only examples/write-behind.ts`. Request handlers
 * queue their creates on Redis Streams and return at once; a drainer writes them in bulk INSERTs,
 * once per idempotency key. Needs a Redis (REDIS_URL, default redis://127.0.0.1:6379); runs on an
 * in-memory SQLite database unless DATABASE_URL is set.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import Redis from 'ioredis';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  ConflictError,
  drainerOptionsFromEnv,
  WriteBehindAppliedKeysMigration,
  WriteBehindDrainer,
  type RepositoryOptions,
} from 'typeorm-base-repository';

@Entity('write_behind_example_events')
class PageView {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 60, unique: true }) requestId!: string;
  @Column({ type: String, length: 200 }) path!: string;
  @Column({ type: Number, nullable: true }) durationMs!: number | null;
  @CreateDateColumn() createdAt!: Date;
}

class CreatePageViewDto {
  @IsString() @Length(1, 60) requestId!: string;
  @IsString() @Length(1, 200) path!: string;
  @IsOptional() @IsInt() @Min(0) durationMs?: number;
}

class PageViewRepository extends BaseRepository<PageView, CreatePageViewDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<PageView>>) {
    super(dataSource, PageView, {
      createDto: CreatePageViewDto,
      updateDto: CreatePageViewDto,
      ...options,
    });
  }
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ entities: [PageView], synchronize: true });
  await dataSource.initialize();
  await dataSource.getRepository(PageView).clear();
  // The applied-keys table: add the migration to your DataSource's `migrations` in a service.
  const runner = dataSource.createQueryRunner();
  await new WriteBehindAppliedKeysMigration().up(runner);
  await runner.release();
  console.log(`Connected to ${dataSource.options.type}.`);

  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const keyPrefix = `example:wb:${randomUUID()}:`; // a run of its own on a shared Redis
  const views = new PageViewRepository(dataSource, {
    writeBehind: { redis, keyPrefix, shards: 2, maxPending: 10_000 },
  });
  // The drainer gets a connection of its own: its blocking reads hold it.
  const drainerRedis = redis.duplicate();
  const drainer = new WriteBehindDrainer({
    redis: drainerRedis,
    repositories: [views],
    consumer: 'example-drainer',
    blockMs: 50,
    ...drainerOptionsFromEnv(), // BATCHED_CREATE_ENABLED, INSERT_BATCH_SIZE
  });
  views.on('bulkCreated', (e) => console.log(`  drained: ${e.count} page views in one INSERT`));

  console.log('\n1. 500 handlers queue a page view each; nothing is written yet');
  const receipts = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      views.enqueueCreate(
        { requestId: `req-${i}`, path: `/articles/${i % 40}`, durationMs: i % 90 },
        { idempotencyKey: `req-${i}` },
      ),
    ),
  );
  console.log(`  queued: ${receipts.length}, first entry ${receipts[0]!.entryId}`);
  console.log(`  rows in the table: ${await dataSource.getRepository(PageView).count()}`);

  console.log('\n2. a handler retries with the same idempotency key: still one row');
  await views.enqueueCreate(
    { requestId: 'req-7', path: '/articles/7' },
    { idempotencyKey: 'req-7' },
  );

  console.log('\n3. drain rounds (up to batchSize entries per shard each) write them in bulk');
  for (let round = 1; ; round++) {
    const report = await drainer.drainOnce();
    if (report.read === 0) break;
    console.log(
      `  round ${round}: read ${report.read}, stored ${report.stored}, ` +
        `duplicates ${report.duplicates}, dead-lettered ${report.deadLettered}`,
    );
  }

  console.log('\n4. awaitStored: wait for the drainer and get the stored row, or its own error');
  drainer.start();
  const stored = await views.enqueueCreate(
    { requestId: 'req-live', path: '/checkout' },
    { awaitStored: true },
  );
  console.log(`  stored #${stored.id} ${stored.path} at ${stored.createdAt.toISOString()}`);
  try {
    await views.enqueueCreate({ requestId: 'req-live', path: '/again' }, { awaitStored: true });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    console.log(`  a repeated requestId is refused: ${error.code}`);
  }

  console.log('\n5. dead letters, and metrics');
  const dead = await drainer.deadLetters(views);
  console.log(`  dead letters: ${dead.map((l) => `${l.code} (${l.attempts} attempt)`).join(', ')}`);
  await drainer.stop();
  const m = await drainer.metrics();
  const backlog = m.entities.PageView!;
  console.log(
    `  drained ${m.drained}, duplicates ${m.duplicates}, batches ${m.batches}, ` +
      `largest batch ${m.entriesPerBatch.max}, pending ${backlog.pending}, dead ${backlog.deadLetters}`,
  );
  console.log(`  rows in the table: ${await dataSource.getRepository(PageView).count()}`);

  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  drainerRedis.disconnect();
  await redis.quit();
  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
