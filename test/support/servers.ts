import type { DialectName } from '../../src';

/** Where the test servers are; each can be overridden from the environment. */
export const SERVER_URLS: Readonly<Record<Exclude<DialectName, 'sqlite'>, string>> = Object.freeze({
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
});

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
 * where MariaDB's own features (INSERT … RETURNING) are used.
 */
export type TestTarget = DialectName | 'mariadb';

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
