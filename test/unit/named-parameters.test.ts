import { QueryError } from '../../src';
import type { DialectAdapter } from '../../src/dialects/dialect-adapter';
import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';
import { namedPlaceholders } from '../../src/query/named-parameters';
import { compileRawQuery } from '../../src/query/raw-query-compiler';
import { tokenize } from '../../src/query/sql-lexer';

const pg = new PostgresAdapter();
const my = new MysqlAdapter();
const lite = new SqliteAdapter();
const ALL: readonly [string, DialectAdapter][] = [
  ['postgres', pg],
  ['mysql', my],
  ['sqlite', lite],
];

function names(sql: string, adapter: DialectAdapter): string[] {
  return namedPlaceholders(tokenize(sql, adapter.syntax.sqlLexicon)).map((p) => p.name);
}

function compile(adapter: DialectAdapter, sql: string, params: Record<string, unknown> = {}) {
  return compileRawQuery(sql, params, adapter, { allowAdmin: false });
}

function refusal(run: () => unknown): QueryError {
  try {
    run();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError');
}

describe('named placeholders', () => {
  describe.each(ALL)('on %s', (_name, adapter) => {
    it('finds each :name in text order, once per occurrence', () => {
      expect(names('SELECT * FROM t WHERE a = :a AND b > :user_id2 OR c = :a', adapter)).toEqual([
        'a',
        'user_id2',
        'a',
      ]);
      expect(names('SELECT * FROM t WHERE a=:a AND b IN(:b)', adapter)).toEqual(['a', 'b']);
    });

    it('skips :name inside string literals, also with doubled quotes and times', () => {
      expect(names("SELECT ':no', 'it''s :no', '12:30' FROM t WHERE a = :yes", adapter)).toEqual([
        'yes',
      ]);
    });

    it('skips :name inside double-quoted text and comments', () => {
      const sql = 'SELECT "a:no" FROM t -- :no\n/* :no */ WHERE a = :yes';
      expect(names(sql, adapter)).toEqual(['yes']);
    });

    it('skips :: casts, := assignments and array slices', () => {
      expect(names('SELECT x::text, :id::int, @v := 1, arr[lo:hi] FROM t', adapter)).toEqual([
        'id',
      ]);
    });

    it('refuses an unterminated literal or comment rather than guess where it ends', () => {
      expect(refusal(() => tokenize("SELECT 'open :x", adapter.syntax.sqlLexicon)).code).toBe(
        'QUERY_UNTERMINATED',
      );
      expect(refusal(() => tokenize('SELECT 1 /* open', adapter.syntax.sqlLexicon)).code).toBe(
        'QUERY_UNTERMINATED',
      );
    });
  });

  it('PostgreSQL: dollar-quoted bodies, E-strings with backslashes, nested comments', () => {
    expect(names("SELECT $$ :no $$, $fn$ it's :no $fn$, :yes", pg)).toEqual(['yes']);
    expect(names("SELECT E'it\\'s :no', :yes", pg)).toEqual(['yes']);
    expect(names('SELECT /* outer /* inner :no */ still :no */ :yes', pg)).toEqual(['yes']);
  });

  it('MySQL: backslash escapes, backticks, # comments, -- needs a space', () => {
    expect(names("SELECT 'it''s \\\\ :no', \"say \\n:no\", `c:no`, :yes", my)).toEqual(['yes']);
    expect(names('SELECT :yes # :no', my)).toEqual(['yes']);
    expect(names('SELECT 1 --:yes', my)).toEqual(['yes']);
    expect(names('SELECT 1 /*+ :no */', my)).toEqual([]);
  });

  it('SQLite: backticks and [brackets] quote identifiers; comments do not nest', () => {
    expect(names('SELECT `a:no`, [b:no] FROM t WHERE a = :yes', lite)).toEqual(['yes']);
    expect(names('SELECT /* /* :no */ :yes', lite)).toEqual(['yes']);
  });

  it('marks a placeholder that is the whole list of [NOT] IN (…)', () => {
    const found = (sql: string) => namedPlaceholders(tokenize(sql, lite.syntax.sqlLexicon));
    const [plain] = found('SELECT 1 WHERE id IN (:ids)');
    expect(plain?.inList).toEqual({ start: 18, end: 27, negated: false }); // `IN (:ids)`
    const [negated] = found('SELECT 1 WHERE id not in ( /* list */ :ids )');
    expect(negated?.inList?.negated).toBe(true);
    expect(found('SELECT 1 WHERE id IN (:a, :b)').map((p) => p.inList)).toEqual([
      undefined,
      undefined,
    ]);
    expect(found('SELECT 1 WHERE id = :a').map((p) => p.inList)).toEqual([undefined]);
  });
});

describe('compileRawQuery', () => {
  it('numbers placeholders per dialect and binds a repeated name once per use', () => {
    const sql = 'SELECT * FROM t WHERE a = :v OR b = :v AND c = :w';
    expect(compile(pg, sql, { v: 1, w: 'x' })).toMatchObject({
      sql: 'SELECT * FROM t WHERE a = $1 OR b = $2 AND c = $3',
      params: [1, 1, 'x'],
    });
    for (const adapter of [my, lite]) {
      expect(compile(adapter, sql, { v: 1, w: 'x' })).toMatchObject({
        sql: 'SELECT * FROM t WHERE a = ? OR b = ? AND c = ?',
        params: [1, 1, 'x'],
      });
    }
  });

  it('keeps casts and literals intact and drops one trailing semicolon', () => {
    expect(compile(pg, "SELECT :id::int, ':id', x::text FROM t; -- done", { id: '5' })).toEqual({
      sql: "SELECT $1::int, ':id', x::text FROM t",
      params: ['5'],
      kind: 'read',
    });
  });

  it('expands an array in IN (…) on MySQL and SQLite; an empty one matches nothing', () => {
    for (const adapter of [my, lite]) {
      expect(
        compile(adapter, 'SELECT 1 FROM t WHERE id IN (:ids)', { ids: [1, 2, 3] }),
      ).toMatchObject({
        sql: 'SELECT 1 FROM t WHERE id IN (?, ?, ?)',
        params: [1, 2, 3],
      });
      expect(compile(adapter, 'SELECT 1 FROM t WHERE id NOT IN (:ids)', { ids: [] }).sql).toMatch(
        /^SELECT 1 FROM t WHERE id NOT IN \(SELECT NULL (FROM DUAL )?WHERE 1 = 0\)$/,
      );
    }
  });

  it('binds an array in IN (…) on PostgreSQL as one array parameter', () => {
    expect(
      compile(pg, 'SELECT 1 FROM t WHERE id IN (:ids) AND x = :x', { ids: [1, 2], x: 0 }),
    ).toMatchObject({
      sql: 'SELECT 1 FROM t WHERE id = ANY($1) AND x = $2',
      params: [[1, 2], 0],
    });
    expect(compile(pg, 'SELECT 1 FROM t WHERE id NOT IN (:ids)', { ids: [] })).toMatchObject({
      sql: 'SELECT 1 FROM t WHERE id <> ALL($1)',
      params: [[]],
    });
    // A scalar in IN (…) stays a scalar.
    expect(compile(pg, 'SELECT 1 FROM t WHERE id IN (:id)', { id: 7 }).sql).toBe(
      'SELECT 1 FROM t WHERE id IN ($1)',
    );
  });

  it('binds an array outside IN as a PostgreSQL array, and as JSON text elsewhere', () => {
    expect(compile(pg, 'SELECT 1 FROM t WHERE id = ANY(:ids)', { ids: [1, 2] }).params).toEqual([
      [1, 2],
    ]);
    expect(compile(my, 'SELECT JSON_LENGTH(:ids)', { ids: [1, 2] }).params).toEqual(['[1,2]']);
  });

  it('binds objects as JSON, booleans and Dates as each dialect stores them', () => {
    const at = new Date('2024-05-01T12:34:56.789Z');
    const params = { doc: { a: [1, 'x'] }, flag: true, at, big: 12345678901234567890n };
    const sql = 'SELECT :doc, :flag, :at, :big';
    expect(compile(lite, sql, params).params).toEqual([
      '{"a":[1,"x"]}',
      1,
      '2024-05-01 12:34:56.789',
      12345678901234567890n,
    ]);
    expect(compile(pg, sql, params).params).toEqual(['{"a":[1,"x"]}', true, at, params.big]);
    expect(compile(my, sql, params).params).toEqual(['{"a":[1,"x"]}', true, at, params.big]);
    expect(compile(lite, 'SELECT 1 WHERE x IN (:days)', { days: [at, false] }).params).toEqual([
      '2024-05-01 12:34:56.789',
      0,
    ]);
  });

  it('names a missing parameter, an unused one, and treats undefined as missing', () => {
    let error = refusal(() => compile(lite, 'SELECT :a, :b', { a: 1 }));
    expect(error).toMatchObject({ code: 'QUERY_PARAMETER_MISSING', subject: 'b' });
    error = refusal(() => compile(lite, 'SELECT :a', { a: undefined }));
    expect(error).toMatchObject({ code: 'QUERY_PARAMETER_MISSING', subject: 'a' });
    error = refusal(() => compile(lite, 'SELECT :a -- :b', { a: 1, b: 2 }));
    expect(error).toMatchObject({ code: 'QUERY_PARAMETER_UNUSED', subject: 'b' });
    expect(compile(lite, 'SELECT :a', { a: null, b: undefined }).params).toEqual([null]);
  });

  it('refuses values with no SQL form, naming the parameter (and the element)', () => {
    const cases: [string, unknown, string][] = [
      ['SELECT :v', () => 1, 'v'],
      ['SELECT :v', new Map(), 'v'],
      ['SELECT :v', new Date('nope'), 'v'],
      ['SELECT 1 WHERE x IN (:v)', [1, undefined], 'v[1]'],
      ['SELECT :v', { n: 1n }, 'v'],
    ];
    for (const [sql, v, subject] of cases) {
      expect(refusal(() => compile(lite, sql, { v }))).toMatchObject({
        code: 'QUERY_PARAMETER_INVALID',
        subject,
      });
    }
    expect(refusal(() => compile(my, 'SELECT :v', { v: [1n] }))).toMatchObject({
      code: 'QUERY_PARAMETER_INVALID',
      subject: 'v',
    });
  });

  it("refuses the driver's own positional placeholders, but not PostgreSQL's ? operator", () => {
    for (const adapter of [my, lite]) {
      expect(refusal(() => compile(adapter, 'SELECT ? , :a', { a: 1 }))).toMatchObject({
        code: 'QUERY_POSITIONAL_PLACEHOLDER',
        subject: '?',
      });
    }
    expect(refusal(() => compile(pg, 'SELECT $1'))).toMatchObject({
      code: 'QUERY_POSITIONAL_PLACEHOLDER',
      subject: '$1',
    });
    expect(compile(pg, "SELECT '{}'::jsonb ? :key", { key: 'a' }).sql).toBe(
      "SELECT '{}'::jsonb ? $1",
    );
  });

  it('refuses params that are not an object of named values', () => {
    expect(
      refusal(() => compileRawQuery('SELECT 1', [1] as never, lite, { allowAdmin: false })),
    ).toMatchObject({
      code: 'QUERY_INVALID_OPTION',
      subject: 'params',
    });
  });

  it('refuses more bound values than the dialect allows; PostgreSQL and SQLite bind a long list as one', () => {
    const ids = Array.from({ length: my.capabilities.maxBindParameters + 1 }, (_, i) => i);
    expect(refusal(() => compile(my, 'SELECT 1 WHERE x IN (:ids)', { ids }))).toMatchObject({
      code: 'QUERY_TOO_MANY_PARAMETERS',
    });
    expect(compile(pg, 'SELECT 1 WHERE x IN (:ids)', { ids }).params).toHaveLength(1);
    const lists = compile(lite, 'SELECT 1 WHERE x IN (:ids)', { ids });
    expect(lists.sql).toBe('SELECT 1 WHERE x IN (SELECT value FROM json_each(?))');
    expect(lists.params).toEqual([JSON.stringify(ids)]);
  });
});
