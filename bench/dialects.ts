import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptionsFromUrl, type DialectName } from '../src';

export const BENCH_URLS: Readonly<Record<DialectName, string>> = {
  sqlite: process.env.BENCH_SQLITE_URL ?? 'sqlite:.tmp/bench.sqlite',
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};

/** The dialects whose server answers; SQLite (a WAL file, as in production) always. */
export async function reachableDialects(): Promise<DialectName[]> {
  const found: DialectName[] = ['sqlite'];
  try {
    const c = new Client({ connectionString: BENCH_URLS.postgres, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
    found.push('postgres');
  } catch {
    console.warn('bench: PostgreSQL unreachable, skipped');
  }
  try {
    const c = await mysql.createConnection({ uri: BENCH_URLS.mysql, connectTimeout: 2000 });
    await c.end();
    found.push('mysql');
  } catch {
    console.warn('bench: MySQL unreachable, skipped');
  }
  return found;
}

export async function openBenchDataSource(
  dialect: DialectName,
  entities: DataSourceOptions['entities'],
): Promise<DataSource> {
  if (dialect === 'sqlite') {
    const { mkdirSync, rmSync } = await import('node:fs');
    mkdirSync('.tmp', { recursive: true });
    rmSync('.tmp/bench.sqlite', { force: true });
  }
  const options = {
    ...dataSourceOptionsFromUrl(await isolatedUrl(dialect), {}),
    ...pgSchema(dialect),
  };
  const ds = new DataSource({
    ...options,
    entities,
    synchronize: true,
    dropSchema: true,
  } as DataSourceOptions);
  return ds.initialize();
}

/** Benchmarks drop and recreate their tables, so they get a schema/database of their own. */
const BENCH_SCHEMA = 'tbr_bench';

async function isolatedUrl(dialect: DialectName): Promise<string> {
  if (dialect === 'postgres') {
    const c = new Client({ connectionString: BENCH_URLS.postgres });
    await c.connect();
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${BENCH_SCHEMA}`);
    await c.end();
  } else if (dialect === 'mysql') {
    const c = await mysql.createConnection({ uri: BENCH_URLS.mysql });
    await c.query(`CREATE DATABASE IF NOT EXISTS ${BENCH_SCHEMA} CHARACTER SET utf8mb4`);
    const [[{ version }]] = (await c.query('SELECT VERSION() AS version')) as unknown as [
      [{ version: string }],
    ];
    await c.end();
    const url = new URL(BENCH_URLS.mysql);
    url.pathname = `/${BENCH_SCHEMA}`;
    // A MariaDB server is configured as a MariaDB user would (TypeORM's type 'mariadb'), unless
    // BENCH_MYSQL_AS_MYSQL=1 asks for the plain MySQL code paths.
    const asMariaDb = /mariadb/i.test(version) && process.env.BENCH_MYSQL_AS_MYSQL !== '1';
    return asMariaDb ? url.toString().replace(/^mysql:/, 'mariadb:') : url.toString();
  }
  return BENCH_URLS[dialect];
}

function pgSchema(dialect: DialectName): Partial<DataSourceOptions> {
  return dialect === 'postgres'
    ? ({
        schema: BENCH_SCHEMA,
        extra: { options: `-c search_path=${BENCH_SCHEMA}` },
      } as Partial<DataSourceOptions>)
    : {};
}
