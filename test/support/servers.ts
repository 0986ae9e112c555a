import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DialectName } from '../../src';

/** Where the test servers are; each can be overridden from the environment. */
export const SERVER_URLS: Readonly<Record<Exclude<DialectName, 'sqlite'>, string>> = Object.freeze({
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
});

/**
 * The driver the `sqlite` target runs through: better-sqlite3, or `sqlite3` (TypeORM 0.3's
 * `type: 'sqlite'`) under TBR_TEST_SQLITE_DRIVER=sqlite3, as the TypeORM 0.3 matrix runs
 * (.ci/typeorm-0.3/run).
 */
export const SQLITE_DRIVER = process.env.TBR_TEST_SQLITE_DRIVER ?? 'better-sqlite3';

/**
 * The major version of the TypeORM the suites run on (`1`, or `0` in the TypeORM 0.3 matrix),
 * read from its package.json beside the module `typeorm` resolves to.
 */
export const TYPEORM_MAJOR: number = (() => {
  const main = require.resolve('typeorm');
  const manifest = join(dirname(main), 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return Number(version.split('.')[0]);
})();

/** The Redis the cache suites use (TEST_REDIS_URL). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answered the global setup's probe; the Redis suites skip otherwise (never under CI). */
export const REDIS_AVAILABLE = process.env.TBR_TEST_REDIS === '1';

/** The dialects the integration suites run on, as decided by the global setup's probe. */
export const DIALECTS: readonly DialectName[] = (process.env.TBR_TEST_DIALECTS ?? 'sqlite')
  .split(',')
  .filter(Boolean) as DialectName[];

/**
 * A dialect, or `mariadb`: the MySQL server reached as `mariadb://` (TypeORM's `type: 'mariadb'`),
 * where MariaDB's own features (INSERT … RETURNING) are used; or `postgres-registered`: the
 * PostgreSQL server through a dialect registered from outside the library (the CockroachDB one of
 * examples/dialects/cockroach-dialect.ts, chosen by `useDialect`).
 */
export type TestTarget = DialectName | 'mariadb' | 'postgres-registered';

/** The target as the built-in dialect it writes SQL for: a registered one is PostgreSQL's. */
export function builtInTarget(target: TestTarget): Exclude<TestTarget, 'postgres-registered'> {
  return target === 'postgres-registered' ? 'postgres' : target;
}

/**
 * `targets`, plus `postgres-registered` where PostgreSQL is reachable: for the CRUD and bulk
 * suites, which prove a registered dialect runs through every path (one more PostgreSQL pass, so
 * not for every suite).
 */
export function withRegistered(targets: readonly TestTarget[]): readonly TestTarget[] {
  return DIALECTS.includes('postgres') ? [...targets, 'postgres-registered'] : targets;
}

/** {@link DIALECTS}, plus `mariadb` where the MySQL server is reachable (it is MariaDB here). */
export const TARGETS: readonly TestTarget[] = DIALECTS.includes('mysql')
  ? [...DIALECTS, 'mariadb']
  : DIALECTS;

/** Stands in for `it` where a test does not apply: nothing is defined, so nothing is "skipped". */
const NOT_APPLICABLE = Object.assign(() => undefined, {
  each: () => () => undefined,
}) as unknown as jest.It;

/** `it` where `applies` holds (a dialect-specific behaviour); elsewhere the test does not exist. */
export function itWhere(applies: boolean): jest.It {
  return applies ? it : NOT_APPLICABLE;
}
