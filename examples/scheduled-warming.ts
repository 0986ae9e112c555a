/**
 * Caching and scheduled warming: `npx ts-node --transpile-only examples/scheduled-warming.ts`.
 * Runs on an in-memory SQLite database with the in-process LRU store unless DATABASE_URL is set.
 * With several instances sharing a Redis, use `new TieredCacheStore(lru, new RedisCacheStore(redis))`
 * instead: usage counts and the warm lock are then shared by the fleet (see docs/caching.md).
 */
import 'reflect-metadata';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type DataSource,
  type Logger,
} from 'typeorm';
import { createDataSource } from '../ormconfig';
import {
  BaseRepository,
  LruCacheStore,
  type RepositoryOptions,
  type WarmReport,
} from 'typeorm-base-repository';

@Entity('warming_example_products')
class Product {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: String, length: 40, unique: true }) sku!: string;
  @Column({ type: String, length: 100 }) name!: string;
  @Column({ type: String, length: 40 }) category!: string;
  @Column({ type: Number }) priceCents!: number;
  @VersionColumn() version!: number;
  @CreateDateColumn() createdAt!: Date;
  @UpdateDateColumn() updatedAt!: Date;
  @DeleteDateColumn() deletedAt!: Date | null;
}

class CreateProductDto {
  @IsString() @Length(1, 40) sku!: string;
  @IsString() @Length(1, 100) name!: string;
  @IsString() category!: string;
  @IsInt() @Min(0) priceCents!: number;
}

class UpdateProductDto {
  @IsOptional() @IsInt() @Min(0) priceCents?: number;
}

class ProductRepository extends BaseRepository<Product, CreateProductDto, UpdateProductDto> {
  constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<Product>>) {
    super(dataSource, Product, {
      createDto: CreateProductDto,
      updateDto: UpdateProductDto,
      ...options,
    });
  }
}

/** Counts the statements the database runs, to show which reads the cache answered. */
class StatementCounter implements Logger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  async during<R>(call: () => Promise<R>): Promise<{ result: R; queries: number }> {
    const before = this.count;
    const result = await call();
    return { result, queries: this.count - before };
  }
}

const queriesText = (n: number) => `${n} ${n === 1 ? 'query' : 'queries'}`;

const showReport = (r: WarmReport | undefined) =>
  r
    ? `warmed ${r.warmed}, superseded ${r.superseded}, failed ${r.failed} in ${r.durationMs.toFixed(1)} ms`
    : 'skipped (not due)';

async function main(): Promise<void> {
  const statements = new StatementCounter();
  const dataSource = createDataSource({ entities: [Product], synchronize: true });
  dataSource.setOptions({ logger: statements });
  await dataSource.initialize();
  console.log(`Connected to ${dataSource.options.type}.`);
  await dataSource.getRepository(Product).clear();

  const products = new ProductRepository(dataSource, {
    cache: {
      store: new LruCacheStore({ max: 10_000, maxBytes: 16 * 1024 * 1024 }),
      ttlSeconds: 300,
      warming: {
        enabled: true,
        minUsageCount: 2, // warm what was read at least twice…
        popularQueriesLimit: 5, // …the five most read at most
        warmIntervalSeconds: 600, // every 10 minutes (also the usage-counting window)
      },
    },
  });
  await products.bulkCreate([
    { sku: 'TEA-1', name: 'Sencha', category: 'tea', priceCents: 1200 },
    { sku: 'TEA-2', name: 'Assam', category: 'tea', priceCents: 900 },
    { sku: 'TEA-3', name: 'Oolong', category: 'tea', priceCents: 1500 },
    { sku: 'COF-1', name: 'Espresso', category: 'coffee', priceCents: 1100 },
  ]);
  const sencha = (await products.findOne({ sku: 'TEA-1' }))!;
  const teas = () => products.list({ filters: { category: 'tea' }, orderBy: 'priceCents' });

  console.log('\n1. reads: the first runs a query and fills the cache, repeats are hits');
  for (let i = 1; i <= 3; i++) {
    const { result, queries } = await statements.during(teas);
    console.log(`  list(category tea) #${i}: ${result.length} rows, ${queriesText(queries)}`);
  }
  for (let i = 1; i <= 2; i++) {
    const { queries } = await statements.during(() => products.findById(sencha.id));
    console.log(`  findById(${sencha.id}) #${i}: ${queriesText(queries)}`);
  }
  await products.count({ category: 'coffee' }); // read once: below minUsageCount

  console.log('\n2. getPopularQueries(): read at least twice, most read first');
  for (const q of await products.getPopularQueries()) {
    console.log(`  ${q.count}× ${q.op} ${JSON.stringify(q.args)}`);
  }

  console.log('\n3. cold cache (a deploy, an eviction), then the scheduled warmer');
  console.log(`  invalidateCache() removed ${await products.invalidateCache()} entries`);
  console.log(`  shouldWarmCache() → ${await products.shouldWarmCache()}`);
  // Warms now, then every warmIntervalSeconds on an unref'd timer that never keeps the process
  // alive. Across instances sharing a Redis, one instance warms per interval.
  console.log(`  startCacheWarming() → ${showReport(await products.startCacheWarming())}`);
  console.log(`  shouldWarmCache() → ${await products.shouldWarmCache()} (this interval is done)`);
  const warm = await statements.during(teas);
  console.log(`  list(category tea) after warming: ${queriesText(warm.queries)}`);

  console.log('\n4. a write invalidates: the next read is never stale');
  await products.update(sencha.id, { priceCents: 1300 });
  const after = await statements.during(teas);
  const price = after.result.find((p) => p.id === sencha.id)!.priceCents;
  console.log(`  update(Sencha, 1300) → list: ${queriesText(after.queries)}, Sencha at ${price}`);
  console.log(`  warmCache() on demand → ${showReport(await products.warmCache())}`);

  const m = products.cacheMetrics()!;
  console.log('\n5. cacheMetrics()');
  console.log(
    `  hits ${m.hits.l1}, misses ${m.misses.l1}, fills ${m.fills}, invalidations ${m.invalidations}`,
  );
  console.log(`  warm runs ${m.warm.runs}, queries warmed ${m.warm.queriesWarmed}`);

  products.stopCacheWarming();
  await dataSource.destroy();
  console.log('\nDone.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
