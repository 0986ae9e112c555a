import mysql from 'mysql2/promise';
import { existsSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptionsFromUrl, QueryError, type DialectName } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { compileRawQuery } from '../../src/query/raw-query-compiler';
import { openDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import {
  MysqlGeneralLog,
  PgStatStatements,
  type ExecutedStatements,
} from '../support/executed-statements';
import { postgresBinaries, startPrivatePostgres } from '../support/private-postgres';
import { DIALECTS, SERVER_URLS } from '../support/servers';

/**
 * The raw-query guard against each real server. Statements are generated from a grammar of
 * comments, quotes, dollar tags, backslashes, Unicode and control spaces, separators and hidden
 * writes. For every statement the guard lets through, the server must have run exactly the one
 * statement the guard saw, of the kind it classified, and nothing for a refused one. Two
 * detectors, so that an escape that leaves no trace in one shows in the other:
 * - effects: the canary table still exists with its one row, no table was created and no file
 *   written (`SELECT … INTO`);
 * - the server's own record of what the fuzzed session ran (see executed-statements.ts):
 *   pg_stat_statements, on a private PostgreSQL since the shared server does not preload it
 *   and must not be restarted; on MySQL/MariaDB the general log for what the server received
 *   and the session's statement counters for what it ran. SQLite has no such record;
 *   better-sqlite3 prepares one statement per call and refuses a string with more.
 * A guard that disagrees with the server's lexer fails this test.
 */
const CASES = 3000;
const OUTFILE = '/tmp/guard_fuzz';

/** Whitespace of every kind: what each server reads as a space, and what only JavaScript does. */
const SPACES = [' ', '\n', '\r', '\t', '\u000b', '\u00a0', '\u2003', '\u200b', '\ufeff'];

const FRAGMENTS = [
  ...SPACES,
  '--',
  '-- ',
  '--\u00a0',
  '#',
  '/*',
  '*/',
  '/*!',
  '/*M!',
  '/*!99999',
  "'",
  '"',
  '`',
  '[',
  ']',
  '\\',
  "\\'",
  "''",
  'E',
  "E'",
  'U&',
  'N',
  '$$',
  '$a$',
  '$b$',
  '1$a$',
  ' $1 ',
  '@',
  '@x',
  '$x',
  '?',
  ':p',
  '::',
  ';',
  ',',
  '(',
  ')',
  '1',
  'x',
  'AS',
  'INTO',
  'ignore',
  'replace',
  'insert',
  ' DROP TABLE guard_canary ',
  ' DELETE FROM guard_canary ',
  ' INTO guard_created ',
  ` INTO OUTFILE '${OUTFILE}' `,
  ' INTO @v ',
  ' WITH d AS (DELETE FROM guard_canary RETURNING 1) SELECT 1 ',
  " set_config('standard_conforming_strings','off',false) ",
];

/** A seeded generator, so that a failure repeats. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Spaces of every kind, and characters that sit next to a quote or a comment marker. */
const JOINERS = ['', ...SPACES, '\\', '1', 'x'];
/** Ways to open something that hides text, each with what closes it. */
const HIDERS: readonly (readonly [string, string])[] = [
  ['$a$', '$a$'],
  ['$$', '$$'],
  ["'", "'"],
  ["E'", "'"],
  ['"', '"'],
  ['`', '`'],
  ['[', ']'],
  ['/*', '*/'],
  ['/*!', '*/'],
  ['--', '\n'],
  ['#', '\n'],
  ['-- ', '\r'],
];
const PAYLOADS = [
  '; DROP TABLE guard_canary; SELECT 1 AS ',
  '; DELETE FROM guard_canary; SELECT 1 AS ',
  ' INTO guard_created FROM guard_canary ',
  ` INTO OUTFILE '${OUTFILE}' `,
  ' AS ignore INTO guard_created ',
  ';\nWITH d AS (DELETE FROM guard_canary RETURNING 1) SELECT 1 AS ',
  '; SELECT 2 AS ', // changes nothing: only the server's record of statements shows it ran
];

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)]!;

/**
 * Most cases follow the shape of a smuggling attempt: a hider opened after some joiner, a
 * payload, and the hider closed again, so that a guard that misreads one character sees the
 * payload as a literal or a comment. A few are the payload in plain code, which the guard must
 * refuse outright. The rest are free sequences of fragments.
 */
function statement(random: () => number): string {
  let sql = random() < 0.5 ? 'SELECT 1 ' : 'SELECT 1 AS ';
  const shape = random();
  if (shape < 0.05) return sql + pick(random, PAYLOADS) + 'x';
  if (shape < 0.7) {
    const [open, close] = pick(random, HIDERS);
    sql += pick(random, JOINERS) + open + pick(random, JOINERS) + pick(random, PAYLOADS);
    sql += pick(random, JOINERS) + pick(random, JOINERS) + close;
    if (random() < 0.5) sql += pick(random, JOINERS) + open;
    return sql;
  }
  const count = 2 + Math.floor(random() * 10);
  for (let i = 0; i < count; i++) sql += pick(random, FRAGMENTS);
  return sql;
}

/** The fuzzed session's role and database on the private PostgreSQL. */
const FUZZ_ROLE = 'guard_fuzz';

/** A server with the repository's DataSource on it and a second session for the checks. */
interface Target {
  readonly dataSource: DataSource;
  /** Runs SQL outside the fuzzed session (on SQLite, which has one connection, inside it). */
  admin(sql: string): Promise<Record<string, unknown>[]>;
  readonly log?: ExecutedStatements;
  close(): Promise<void>;
}

/** Runs `cleanups` last first, all of them, and throws the first failure. */
async function unwind(cleanups: (() => Promise<unknown>)[]): Promise<void> {
  let failure: unknown;
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error: unknown) => (failure ??= error));
  }
  if (failure !== undefined) throw failure;
}

/**
 * A private PostgreSQL with pg_stat_statements preloaded. The fuzzed role is a superuser, as
 * the shared server's `postgres` is, so that an escape can do all it would do there.
 */
async function openPostgres(): Promise<Target> {
  const binaries = postgresBinaries();
  if ('missing' in binaries) {
    throw new Error(`cannot start a PostgreSQL with pg_stat_statements: ${binaries.missing}`);
  }
  const server = await startPrivatePostgres(binaries.bindir, {
    shared_preload_libraries: "'pg_stat_statements'",
    'pg_stat_statements.track': 'all',
  });
  const cleanups: (() => Promise<unknown>)[] = [() => server.stop()];
  try {
    const setup = new Client({ connectionString: server.url('postgres', 'postgres') });
    await setup.connect();
    await setup.query(`CREATE ROLE ${FUZZ_ROLE} LOGIN SUPERUSER`);
    await setup.query(`CREATE DATABASE ${FUZZ_ROLE} OWNER ${FUZZ_ROLE}`);
    await setup.end();
    const admin = new Client({ connectionString: server.url('postgres', FUZZ_ROLE) });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query('CREATE EXTENSION pg_stat_statements');
    const dataSource = new DataSource({
      ...dataSourceOptionsFromUrl(server.url(FUZZ_ROLE, FUZZ_ROLE), { DB_POOL_SIZE: '1' }),
      entities: [Employee],
      synchronize: true,
    } as DataSourceOptions);
    await dataSource.initialize();
    cleanups.push(() => dataSource.destroy());
    const log = await PgStatStatements.open(admin, FUZZ_ROLE);
    const query = async (sql: string) => (await admin.query(sql)).rows as Record<string, unknown>[];
    return { dataSource, admin: query, log, close: () => unwind(cleanups) };
  } catch (error) {
    await unwind(cleanups);
    throw error;
  }
}

/**
 * The shared MySQL/MariaDB, one pooled connection so that one thread id is the session. With
 * multipleStatements on, as an application may configure it, so that a `;` the guard misses
 * runs what follows instead of being refused by the driver.
 */
async function openMysql(): Promise<Target> {
  const { dataSource } = await openDataSource('mysql', [Employee], {
    poolSize: 1,
    multipleStatements: true,
  });
  const cleanups: (() => Promise<unknown>)[] = [() => dataSource.destroy()];
  try {
    const [{ name }] = (await dataSource.query('SELECT DATABASE() AS name')) as { name: string }[];
    const url = new URL(SERVER_URLS.mysql);
    url.pathname = `/${name}`;
    const admin = await mysql.createConnection({ uri: url.toString() });
    cleanups.push(() => admin.end());
    const log = await MysqlGeneralLog.open(dataSource, admin);
    cleanups.push(() => log.close());
    const query = async (sql: string) => (await admin.query(sql))[0] as Record<string, unknown>[];
    return { dataSource, admin: query, log, close: () => unwind(cleanups) };
  } catch (error) {
    await unwind(cleanups);
    throw error;
  }
}

async function openSqlite(): Promise<Target> {
  const { dataSource } = await openDataSource('sqlite', [Employee]);
  return {
    dataSource,
    admin: (sql) => dataSource.query(sql),
    close: () => dataSource.destroy(),
  };
}

const OPEN: Readonly<Record<DialectName, () => Promise<Target>>> = {
  postgres: openPostgres,
  mysql: openMysql,
  sqlite: openSqlite,
};

/** Outside CI, and only for missing binaries, the PostgreSQL case is skipped (and says why). */
function skipReason(dialect: DialectName): string | undefined {
  const binaries = postgresBinaries();
  if (dialect !== 'postgres' || !('missing' in binaries) || process.env.CI === 'true') {
    return undefined;
  }
  return `no PostgreSQL server binaries to run one with pg_stat_statements: ${binaries.missing}`;
}

describe.each(DIALECTS)('the raw-query guard against the real %s', (dialect) => {
  const skipped = skipReason(dialect);
  let target: Target | undefined;

  beforeAll(async () => {
    if (!skipped) target = await OPEN[dialect]();
  });
  afterAll(() => target?.close());

  /** Rows in `table`, or undefined when it does not exist. */
  async function count(table: string): Promise<number | undefined> {
    const rows = await target!.admin(`SELECT COUNT(*) AS n FROM ${table}`).catch(() => undefined);
    return rows && Number(rows[0]!.n);
  }

  async function resetCanary(): Promise<void> {
    await target!.admin('DROP TABLE IF EXISTS guard_canary');
    await target!.admin('CREATE TABLE guard_canary (id INT)');
    await target!.admin('INSERT INTO guard_canary VALUES (1)');
  }

  const title = `lets through no statement that runs more than it was classified as (${CASES} cases)`;
  (skipped ? it.skip : it)(skipped ? `${title}: skipped, ${skipped}` : title, async () => {
    const { dataSource, admin, log } = target!;
    const repo = new EmployeeRepository(dataSource);
    const adapter = adapterFor(dataSource);
    await admin('DROP TABLE IF EXISTS guard_created');
    await resetCanary();
    const random = generator(0x5eed + dialect.length);
    const escapes: string[] = [];
    let allowed = 0;
    for (let index = 0; index < CASES; index++) {
      const sql = statement(random);
      let rows: number | undefined;
      try {
        const result = await repo.query(sql, {});
        rows = Array.isArray(result) ? result.length : undefined;
      } catch (error) {
        if (error instanceof QueryError) {
          await log?.afterCase({ index }); // refused before any SQL ran
          continue;
        }
      }
      // The guard allowed it (the server may still have refused it): what did it send?
      allowed++;
      const { sql: sent, kind } = compileRawQuery(sql, {}, adapter, { allowAdmin: false });
      await log?.afterCase({ index, sent: { sql: sent, kind }, rows });
      if ((await count('guard_canary')) !== 1) {
        escapes.push(`canary: ${JSON.stringify(sql)}`);
        await resetCanary();
      }
      if (existsSync(OUTFILE)) {
        // MariaDB ran SELECT … INTO OUTFILE (the server is on this machine).
        escapes.push(`outfile: ${JSON.stringify(sql)}`);
        rmSync(OUTFILE);
      }
      if ((await count('guard_created')) !== undefined) {
        escapes.push(`SELECT … INTO: ${JSON.stringify(sql)}`);
        await admin('DROP TABLE guard_created');
      }
    }
    escapes.push(...((await log?.mismatches()) ?? []).map((m) => `server log: ${m}`));
    expect(escapes).toEqual([]);
    expect(allowed).toBeGreaterThan(0);
    if (log) expect(log.checked).toBe(CASES);
  });
});
