import type { DialectName } from '../../src';

/** Where the test servers are; each can be overridden from the environment. */
export const SERVER_URLS: Readonly<Record<Exclude<DialectName, 'sqlite'>, string>> = Object.freeze({
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
});

/** The dialects the integration suites run on, as decided by the global setup's probe. */
export const DIALECTS: readonly DialectName[] = (process.env.TBR_TEST_DIALECTS ?? 'sqlite')
  .split(',')
  .filter(Boolean) as DialectName[];
