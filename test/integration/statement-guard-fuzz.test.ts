import { existsSync, rmSync } from 'node:fs';
import { QueryError } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS } from '../support/servers';

/**
 * The raw-query guard against each real server. Statements are generated from a grammar of
 * comments, quotes, dollar tags, backslashes, Unicode and control spaces, separators and hidden
 * writes. For every statement the guard lets through, the server must have run exactly the one
 * statement the guard saw: the canary table still exists with its one row, and no table was
 * created (`SELECT … INTO`). A guard that disagrees with the server's lexer fails this test.
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
];

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)]!;

/**
 * Most cases follow the shape of a smuggling attempt: a hider opened after some joiner, a
 * payload, and the hider closed again, so that a guard that misreads one character sees the
 * payload as a literal or a comment. The rest are free sequences of fragments.
 */
function statement(random: () => number): string {
  let sql = random() < 0.5 ? 'SELECT 1 ' : 'SELECT 1 AS ';
  if (random() < 0.7) {
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

describe.each(DIALECTS)('the raw-query guard against the real %s', (dialect) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
    repo = new EmployeeRepository(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());

  async function canaryIntact(): Promise<boolean> {
    const rows: { n: unknown }[] | undefined = await db.dataSource
      .query('SELECT COUNT(*) AS n FROM guard_canary')
      .catch(() => undefined);
    return rows !== undefined && Number(rows[0]!.n) === 1;
  }

  async function resetCanary(): Promise<void> {
    await db.dataSource.query('DROP TABLE IF EXISTS guard_canary');
    await db.dataSource.query('CREATE TABLE guard_canary (id INT)');
    await db.dataSource.query('INSERT INTO guard_canary VALUES (1)');
  }

  async function tableExists(name: string): Promise<boolean> {
    const runner = db.dataSource.createQueryRunner();
    try {
      return await runner.hasTable(name);
    } finally {
      await runner.release();
    }
  }

  it(`lets through no statement that runs more than it was classified as (${CASES} cases)`, async () => {
    await db.dataSource.query('DROP TABLE IF EXISTS guard_created');
    await resetCanary();
    const random = generator(0x5eed + dialect.length);
    const escapes: string[] = [];
    let allowed = 0;
    for (let i = 0; i < CASES; i++) {
      const sql = statement(random);
      try {
        await repo.query(sql, {});
        allowed++;
      } catch (error) {
        if (error instanceof QueryError) continue; // refused before any SQL ran
        allowed++; // the guard allowed it; the server refused it
      }
      if (!(await canaryIntact())) {
        escapes.push(sql);
        await resetCanary();
      }
      if (existsSync(OUTFILE)) {
        escapes.push(sql); // MariaDB ran SELECT … INTO OUTFILE (the server is on this machine)
        rmSync(OUTFILE);
      }
      if (await tableExists('guard_created')) {
        escapes.push(sql);
        await db.dataSource.query('DROP TABLE guard_created');
      }
    }
    expect(escapes).toEqual([]);
    expect(allowed).toBeGreaterThan(0);
  });
});
