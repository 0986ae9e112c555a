/**
 * A second service instance for the cross-process cache test: its own DataSource, repository and
 * TieredCacheStore on the shared Redis. It answers the parent's commands over IPC.
 */
import 'reflect-metadata';
import Redis from 'ioredis';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { LruCacheStore, RedisCacheStore, TieredCacheStore } from '../../src';
import { Employee, EmployeeRepository } from './employee';

interface Command {
  readonly seq: number;
  readonly op: 'findById' | 'update' | 'metrics' | 'exit';
  readonly id?: number;
  readonly salary?: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.CHILD_DATA_SOURCE!) as DataSourceOptions;
  const dataSource = new DataSource({ ...options, entities: [Employee] } as DataSourceOptions);
  await dataSource.initialize();
  const redis = new Redis(process.env.CHILD_REDIS_URL!);
  const prefix = process.env.CHILD_PREFIX!;
  const store = new TieredCacheStore(
    new LruCacheStore(),
    new RedisCacheStore(redis, { keyPrefix: prefix }),
    { channel: `${prefix}invalidations` },
  );
  await store.ready();
  const repo = new EmployeeRepository(dataSource, { cache: { store, keyPrefix: 'emp' } });
  let queries = 0;
  dataSource.logger.logQuery = () => void queries++;

  process.on('message', (message: Command) => {
    void (async () => {
      const reply = (result: unknown) => process.send!({ seq: message.seq, result });
      switch (message.op) {
        case 'findById': {
          const before = queries;
          const row = await repo.findById(message.id!);
          return reply({ salary: row?.salary, version: row?.version, queries: queries - before });
        }
        case 'update':
          await repo.update(message.id!, { salary: message.salary! });
          return reply(null);
        case 'metrics':
          return reply(repo.cacheMetrics());
        case 'exit':
          await store.close();
          await redis.quit();
          await dataSource.destroy();
          reply(null);
          process.disconnect();
      }
    })();
  });
  process.send!({ seq: 0, result: 'ready' });
}

void main();
