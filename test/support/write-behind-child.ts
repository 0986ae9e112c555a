/**
 * A write-behind process of a crash run: `WB_ROLE=producer` enqueues orders `WB_FROM` up to
 * `WB_TO` (every 100th twice, with the same key), `WB_ROLE=drainer` drains them as consumer
 * `WB_CONSUMER` and tells the parent each time it starts an INSERT into wb_orders, so the parent
 * can kill it mid-batch. Runs with Node's default unhandled-rejection mode: an unhandled library
 * promise makes it exit with 1.
 */
import 'reflect-metadata';
import Redis from 'ioredis';
import { DataSource, type DataSourceOptions, type Logger } from 'typeorm';
import { WriteBehindDrainer } from '../../src';
import { orderOf, WbOrder, WbOrderRepository } from './wb-order';

const env = process.env;

class InsertSignals implements Logger {
  logQuery(query: string): void {
    if (/^\s*INSERT INTO\s+(\S+\.)?\W?wb_orders\W/i.test(query)) process.send!({ kind: 'insert' });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

async function main(): Promise<void> {
  const options = JSON.parse(env.CHILD_DATA_SOURCE!) as DataSourceOptions;
  const dataSource = new DataSource({
    ...options,
    entities: [WbOrder],
    logger: new InsertSignals(),
    logging: ['query'],
  } as DataSourceOptions);
  await dataSource.initialize();
  const redis = new Redis(env.WB_REDIS_URL!, { maxRetriesPerRequest: 1 });
  const repo = new WbOrderRepository(dataSource, {
    writeBehind: { redis, keyPrefix: env.WB_PREFIX!, shards: 2, whenFull: 'wait' },
  });
  if (env.WB_ROLE === 'producer') {
    const from = Number(env.WB_FROM);
    const to = Number(env.WB_TO);
    let next = from;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        const idempotencyKey = `k-${i}`;
        await repo.enqueueCreate(orderOf(i), { idempotencyKey });
        if (i % 100 === 5) await repo.enqueueCreate(orderOf(i), { idempotencyKey });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    process.send!({ kind: 'done' });
  } else {
    const drainer = new WriteBehindDrainer({
      redis,
      repositories: [repo],
      consumer: env.WB_CONSUMER!,
      batchSize: 100,
      blockMs: 50,
      claimIdleMs: 1500,
    });
    drainer.start();
    process.send!({ kind: 'started' });
    await new Promise<void>((resolve) => process.once('message', () => resolve()));
    await drainer.stop();
  }
  await redis.quit();
  await dataSource.destroy();
  setTimeout(() => process.disconnect(), 100);
}

void main();
