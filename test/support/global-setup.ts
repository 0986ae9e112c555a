import mysql from 'mysql2/promise';
import { Client } from 'pg';
import Redis from 'ioredis';
import { REDIS_URL, SERVER_URLS } from './servers';

/**
 * Probes PostgreSQL, MySQL and Redis once and tells the workers (through the environment) which
 * dialects to run. SQLite always runs. Under CI=true an unreachable server fails the run.
 */
export default async function globalSetup(): Promise<void> {
  const probes = {
    postgres: async () => {
      const client = new Client({
        connectionString: SERVER_URLS.postgres,
        connectionTimeoutMillis: 3000,
      });
      await client.connect();
      await client.end();
    },
    mysql: async () => {
      const conn = await mysql.createConnection({ uri: SERVER_URLS.mysql, connectTimeout: 3000 });
      await conn.end();
    },
  };
  let redisUp = false;
  const dialects = ['sqlite'];
  const missing: string[] = [];
  for (const [name, probe] of Object.entries(probes)) {
    try {
      await probe();
      dialects.push(name);
    } catch (error) {
      missing.push(
        `${name} (${SERVER_URLS[name as keyof typeof SERVER_URLS]}): ${(error as Error).message}`,
      );
    }
  }
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    redisUp = true;
  } catch (error) {
    missing.push(`redis (${REDIS_URL}): ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  if (missing.length > 0) {
    if (process.env.CI === 'true') {
      throw new Error(`CI=true and these servers are unreachable:\n  ${missing.join('\n  ')}`);
    }
    console.warn(`\n[tests] skipping unreachable servers:\n  ${missing.join('\n  ')}`);
  }
  process.env.TBR_TEST_DIALECTS = dialects.join(',');
  process.env.TBR_TEST_REDIS = redisUp ? '1' : '0';
}
