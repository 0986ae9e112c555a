import { QueryError } from '../../src';
import type { DialectAdapter } from '../../src/dialects/dialect-adapter';
import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';
import { tokenize } from '../../src/query/sql-lexer';
import { guardStatement, type GuardedStatement } from '../../src/query/statement-guard';

const pg = new PostgresAdapter();
const my = new MysqlAdapter();
const lite = new SqliteAdapter();

function guard(sql: string, adapter: DialectAdapter = lite, allowAdmin = false): GuardedStatement {
  return guardStatement(tokenize(sql, adapter.syntax.sqlLexicon), sql.length, { allowAdmin });
}

function refusal(sql: string, adapter: DialectAdapter = lite, allowAdmin = false): QueryError {
  try {
    guard(sql, adapter, allowAdmin);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe('guardStatement', () => {
  describe('one statement per call', () => {
    it('accepts one statement with or without one trailing semicolon', () => {
      expect(guard('SELECT 1')).toEqual({ keyword: 'SELECT', kind: 'read', end: 8 });
      expect(guard('SELECT 1 ;  -- done\n')).toEqual({ keyword: 'SELECT', kind: 'read', end: 9 });
    });

    it('refuses a second statement, an empty one after it, and names the offset', () => {
      const error = refusal('SELECT 1; DELETE FROM t');
      expect(error.code).toBe('QUERY_MULTIPLE_STATEMENTS');
      expect(error.message).toContain('offset 8');
      expect(refusal('SELECT 1;;').code).toBe('QUERY_MULTIPLE_STATEMENTS');
      expect(refusal('UPDATE t SET a = 1;\nDROP TABLE t', lite, true).code).toBe(
        'QUERY_MULTIPLE_STATEMENTS',
      );
    });

    it('ignores semicolons inside literals, quoted identifiers and comments', () => {
      for (const sql of [
        "SELECT ';' AS s, 'it''s; fine'",
        'SELECT "a;b" FROM t',
        '-- ;\nSELECT 1',
        '/* ; DROP TABLE t; */ SELECT 1',
      ]) {
        expect(guard(sql).kind).toBe('read');
      }
      expect(guard('SELECT $$;$$, $q$ ; $q$', pg).kind).toBe('read');
      expect(guard("SELECT 'a\\\\'", my).kind).toBe('read');
      expect(guard('SELECT `a;b` # ;', my).kind).toBe('read');
    });

    it('MySQL: refuses an executable comment, whose body runs or not by server version', () => {
      expect(refusal('SELECT 1 /*!; DROP TABLE t */', my).code).toBe('QUERY_AMBIGUOUS_TEXT');
      expect(refusal("SELECT 1 /*!99999 '*/ ; DROP TABLE t; -- '", my).code).toBe(
        'QUERY_AMBIGUOUS_TEXT',
      );
      expect(refusal('SELECT 1 /*M!100000 x */', my).code).toBe('QUERY_AMBIGUOUS_TEXT');
    });

    it('refuses SQL that holds no statement', () => {
      expect(refusal('  -- nothing\n').code).toBe('QUERY_EMPTY');
      expect(refusal(';').code).toBe('QUERY_EMPTY');
    });
  });

  describe('DDL and other administrative statements', () => {
    it.each([
      ['CREATE TABLE x (id int)', 'CREATE'],
      ['DROP TABLE employees', 'DROP'],
      ['ALTER TABLE employees ADD COLUMN x int', 'ALTER'],
      ['TRUNCATE employees', 'TRUNCATE'],
      ['GRANT SELECT ON employees TO bob', 'GRANT'],
      ['REVOKE SELECT ON employees FROM bob', 'REVOKE'],
      ['RENAME TABLE a TO b', 'RENAME'],
      ['drop table employees', 'DROP'],
      ['/* harmless? */ -- no\n  Drop Table employees', 'DROP'],
      ['(DROP TABLE employees)', 'DROP'],
      ['PRAGMA writable_schema = 1', 'PRAGMA'],
      ['SET ROLE admin', 'SET'],
      ["COPY employees TO PROGRAM 'rm -rf /'", 'COPY'],
      ['CALL reset_everything()', 'CALL'],
      ['SELECT * INTO copy_of_employees FROM employees', 'SELECT … INTO'],
      ['WITH x AS (SELECT 1) SELECT * INTO t2 FROM x', 'WITH … INTO'],
    ])('refuses %s without allowAdmin', (sql, subject) => {
      const error = refusal(sql);
      expect(error).toMatchObject({ code: 'QUERY_DDL_REFUSED', subject });
      expect(error.message).toContain('allowAdmin');
    });

    it('PostgreSQL: refuses DO blocks and EXPLAIN ANALYZE of CREATE TABLE … AS', () => {
      expect(refusal("DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$", pg).subject).toBe('DO');
      expect(refusal('EXPLAIN ANALYZE CREATE TABLE t2 AS SELECT 1', pg).code).toBe(
        'QUERY_DDL_REFUSED',
      );
    });

    it('lets them through with allowAdmin, as admin statements', () => {
      expect(guard('CREATE TABLE x (id int)', lite, true)).toMatchObject({
        keyword: 'CREATE',
        kind: 'admin',
      });
      expect(guard('DO $$ BEGIN PERFORM 1; END $$', pg, true).kind).toBe('admin');
    });

    it('does not mistake DDL words inside literals, identifiers or comments for statements', () => {
      expect(guard('SELECT \'DROP TABLE t\' AS s, "create" FROM t -- DROP').kind).toBe('read');
      expect(guard('/* DROP TABLE t */ SELECT 1').keyword).toBe('SELECT');
    });
  });

  describe('data statements', () => {
    it.each([
      ['SELECT 1', 'read'],
      ['(SELECT 1) UNION (SELECT 2)', 'read'],
      ['VALUES (1), (2)', 'read'],
      ['WITH x AS (SELECT 1 AS a) SELECT * FROM x', 'read'],
      [
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n',
        'read',
      ],
      ["SELECT REPLACE(name, 'a', 'b') FROM t", 'read'],
      ['EXPLAIN SELECT 1', 'read'],
      ['INSERT INTO t (a) SELECT a FROM s', 'write'],
      ['insert into t (a) values (1)', 'write'],
      ['UPDATE t SET a = 1', 'write'],
      ['DELETE FROM t WHERE a = 1', 'write'],
      ['WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d', 'write'],
      ['WITH x AS (SELECT id FROM s) DELETE FROM t WHERE id IN (SELECT id FROM x)', 'write'],
      ['INSERT OR REPLACE INTO t (a) VALUES (1)', 'write'],
      ['REPLACE INTO t (a) VALUES (1)', 'write'],
    ])('accepts %s as %s', (sql, kind) => {
      expect(guard(sql).kind).toBe(kind);
    });

    it('MySQL: INSERT IGNORE INTO and INSERT LOW_PRIORITY INTO are writes, not SELECT … INTO', () => {
      expect(guard('INSERT IGNORE INTO t (a) VALUES (1)', my).kind).toBe('write');
      expect(guard('INSERT LOW_PRIORITY INTO t (a) VALUES (1)', my).kind).toBe('write');
      expect(refusal("SELECT * FROM t INTO OUTFILE '/tmp/x'", my).code).toBe('QUERY_DDL_REFUSED');
    });
  });

  describe('transaction control', () => {
    it.each([
      'BEGIN',
      'begin transaction',
      'START TRANSACTION',
      'COMMIT',
      'ROLLBACK',
      'ROLLBACK TO SAVEPOINT s',
      'SAVEPOINT s',
      'RELEASE SAVEPOINT s',
      'END',
    ])('refuses %s even with allowAdmin', (sql) => {
      expect(refusal(sql, lite, true).code).toBe('QUERY_TRANSACTION_CONTROL');
    });

    it('MySQL: START SLAVE is an admin statement, not transaction control', () => {
      expect(refusal('START SLAVE', my).code).toBe('QUERY_DDL_REFUSED');
    });
  });
});

describe('guard bypasses found by fault injection (regressions)', () => {
  const nbsp = '\u00a0';

  it('PostgreSQL: a no-break space is part of a name, so `\\u00a0$a$` hides no statement', () => {
    const sql = `SELECT 1 AS ${nbsp}$a$; DROP TABLE t; SELECT 1 AS ${nbsp}$a$`;
    expect(refusal(sql, pg).code).toBe('QUERY_AMBIGUOUS_TEXT');
    expect(refusal(`SELECT 1 AS ${nbsp}$a$ INTO t2 FROM x ${nbsp}$a$`, pg).code).toBe(
      'QUERY_AMBIGUOUS_TEXT',
    );
    for (const space of ['\u2003', '\u200b', '\ufeff', '\u000b', '\u0001', '\u0085']) {
      expect(refusal(`SELECT${space}1`, pg).code).toBe('QUERY_AMBIGUOUS_TEXT');
    }
    expect(guard(`SELECT '${nbsp}' /* ${nbsp} */`, pg).kind).toBe('read');
  });

  it('PostgreSQL: a `--` comment ends at a carriage return', () => {
    expect(refusal('SELECT 1 --\r; DROP TABLE t\n', pg).code).toBe('QUERY_MULTIPLE_STATEMENTS');
    // MySQL and SQLite end it at a newline only: the same text is one statement there.
    expect(guard('SELECT 1 -- x\r; DROP TABLE t\n', lite).kind).toBe('read');
  });

  it('PostgreSQL: a number running into `$a$` is refused (PostgreSQL opens a dollar quote)', () => {
    expect(refusal("SELECT 1$a$ , '$a$; DROP TABLE t; --'", pg).code).toBe('QUERY_AMBIGUOUS_TEXT');
    expect(guard('SELECT 1.5e3, 0x1F, 42', pg).kind).toBe('read');
  });

  it('PostgreSQL: statements that change lexing are refused without allowAdmin', () => {
    for (const sql of [
      "SELECT set_config('standard_conforming_strings','off',false)",
      "SELECT pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false)",
      "UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings'",
      "SELECT set_config('client_encoding', 'SJIS', false)",
    ]) {
      expect(refusal(sql, pg).code).toBe('QUERY_LEXING_CHANGE_REFUSED');
    }
    expect(guard("SELECT set_config('application_name', 'x', false)", pg, true).kind).toBe('read');
  });

  it('a backslash before a quote whose meaning depends on settings is refused', () => {
    // With standard_conforming_strings off, PostgreSQL reads `\'` as an escaped quote.
    expect(refusal("SELECT 'a\\' , ' ; DROP TABLE t ; -- '", pg).code).toBe('QUERY_AMBIGUOUS_TEXT');
    // With NO_BACKSLASH_ESCAPES, MySQL reads `\'` as a backslash and the end of the string.
    expect(refusal("SELECT 'a\\'; DROP TABLE t; '", my).code).toBe('QUERY_AMBIGUOUS_TEXT');
    expect(guard("SELECT E'it\\'s', 'a\\\\', 'a\\n'", pg).kind).toBe('read');
  });

  it('MySQL: `--` followed by a no-break space is refused (MariaDB reads no comment)', () => {
    expect(refusal(`SELECT 1 --${nbsp}'\n; SELECT 1 INTO OUTFILE '/tmp/x'; -- '`, my).code).toBe(
      'QUERY_AMBIGUOUS_TEXT',
    );
    expect(refusal('SELECT 1 --\u0085 x', my).code).toBe('QUERY_AMBIGUOUS_TEXT'); // C1: not my_iscntrl
    expect(guard('SELECT 1 --\u0001 x', my).kind).toBe('read');
    expect(guard('SELECT 1 --\t x', my).kind).toBe('read');
    expect(guard('SELECT 1--1', my).kind).toBe('read');
  });

  it('MySQL: statements that change sql_mode or the client character set are refused', () => {
    expect(refusal('SELECT @@sql_mode', my).code).toBe('QUERY_LEXING_CHANGE_REFUSED');
    expect(refusal("SET SESSION sql_mode = 'ANSI_QUOTES'", my, false).code).toBe(
      'QUERY_LEXING_CHANGE_REFUSED',
    );
  });

  it('SELECT … INTO is admin even behind a word PostgreSQL does not reserve', () => {
    for (const sql of [
      'SELECT 1 AS ignore INTO t2',
      'SELECT (1) replace INTO t2',
      'SELECT 1 AS replace INTO t2',
      'SELECT insert INTO t2 FROM t',
      'WITH a AS (SELECT 1 AS insert) SELECT * INTO t2 FROM a',
      'EXPLAIN ANALYZE SELECT 1 INTO t2',
    ]) {
      expect(refusal(sql, pg).code).toBe('QUERY_DDL_REFUSED');
    }
    for (const sql of [
      "SELECT 1 INTO OUTFILE '/tmp/x'",
      'SELECT 1 INTO @v',
      'SELECT 1 INTO DUMPFILE "/tmp/y"',
    ]) {
      expect(refusal(sql, my).code).toBe('QUERY_DDL_REFUSED');
    }
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      'INSERT OR IGNORE INTO t VALUES (1)',
      'WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a',
      'WITH a AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM a',
      'EXPLAIN (ANALYZE, VERBOSE) INSERT INTO t VALUES (1)',
      '(INSERT INTO t VALUES (1))',
    ]) {
      expect(guard(sql, pg).kind).toBe('write');
    }
    expect(guard('WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', pg).kind).toBe('write');
  });

  it('a NUL character anywhere is refused', () => {
    expect(refusal("SELECT '\u0000'; DROP TABLE t", lite).code).toBe('QUERY_AMBIGUOUS_TEXT');
  });
});

describe("SQLite's own placeholders (regression: @x and $x were let through)", () => {
  it.each(['SELECT @x', 'SELECT $x', 'SELECT 1 WHERE a = @a AND b = :b'])(
    '%s is positional',
    (sql) => {
      const tokens = tokenize(sql, lite.syntax.sqlLexicon);
      expect(tokens.some((t) => t.kind === 'positional')).toBe(true);
    },
  );
  it('a $ inside a name is not a placeholder', () => {
    expect(
      tokenize('SELECT a$b', lite.syntax.sqlLexicon).some((t) => t.kind === 'positional'),
    ).toBe(false);
  });
});
