import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptionsFromUrl, useDialect, type DialectName } from '../../src';
// Registers the CockroachDB dialect that `postgres-registered` runs through.
import '../../examples/dialects/cockroach-dialect';
import { QueryCounter } from './query-counter';
import { builtInTarget, SERVER_URLS, SQLITE_DRIVER, type TestTarget } from './servers';

export interface TestDataSource {
  readonly dataSource: DataSource;
  readonly queries: QueryCounter;
  readonly dialect: DialectName;
}

/**
 * Jest workers run in parallel against the same servers; each gets its own schema/database.
 * TBR_TEST_DB_PREFIX separates concurrent test runs (e.g. two checkouts) on one server.
 */
function isolatedName(): string {
  const prefix = (process.env.TBR_TEST_DB_PREFIX ?? 'tbr').replace(/[^a-z0-9_]/gi, '');
  return `${prefix}_w${process.env.JEST_WORKER_ID ?? '1'}`;
}

async function isolatedUrl(
  dialect: Exclude<DialectName, 'sqlite'>,
): Promise<{ url: string; schema?: string }> {
  const name = isolatedName();
  if (dialect === 'postgres') {
    const client = new Client({ connectionString: SERVER_URLS.postgres });
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
    await client.end();
    return { url: SERVER_URLS.postgres, schema: name };
  }
  const conn = await mysql.createConnection({ uri: SERVER_URLS.mysql });
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${name} CHARACTER SET utf8mb4`);
  await conn.end();
  const url = new URL(SERVER_URLS.mysql);
  url.pathname = `/${name}`;
  return { url: url.toString() };
}

/**
 * A fresh, initialized DataSource for `dialect` with `entities` synchronized into an empty
 * schema, and a {@link QueryCounter} attached.
 */
export async function openDataSource(
  target: TestTarget,
  entities: DataSourceOptions['entities'],
  options: {
    sqlitePath?: string;
    poolSize?: number;
    /** MySQL: let one string carry several statements, which mysql2 refuses by default. */
    multipleStatements?: boolean;
  } = {},
): Promise<TestDataSource> {
  const queries = new QueryCounter();
  const builtIn = builtInTarget(target);
  const dialect: DialectName = builtIn === 'mariadb' ? 'mysql' : builtIn;
  let base: DataSourceOptions;
  if (dialect === 'sqlite') {
    base = dataSourceOptionsFromUrl(`sqlite:${options.sqlitePath ?? ':memory:'}`, {
      SQLITE_DRIVER,
    });
  } else {
    const isolated = await isolatedUrl(dialect);
    const { schema } = isolated;
    const url = target === 'mariadb' ? isolated.url.replace(/^mysql:/, 'mariadb:') : isolated.url;
    const env = options.poolSize ? { DB_POOL_SIZE: String(options.poolSize) } : {};
    // search_path makes the worker's schema the default for raw SQL in tests too.
    const pgSchema = schema ? { schema, extra: { options: `-c search_path=${schema}` } } : {};
    const multi = options.multipleStatements ? { multipleStatements: true } : {};
    base = { ...dataSourceOptionsFromUrl(url, env), ...pgSchema, ...multi } as DataSourceOptions;
  }
  const dataSource = new DataSource({
    ...base,
    entities,
    synchronize: true,
    dropSchema: true,
    logger: queries,
  } as DataSourceOptions);
  if (target === 'postgres-registered') useDialect(dataSource, 'cockroachdb');
  await dataSource.initialize();
  queries.reset();
  return { dataSource, queries, dialect };
}
