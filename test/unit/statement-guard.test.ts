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
  return guardStatement(tokenize(sql, adapter.sqlLexicon), sql.length, { allowAdmin });
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
      expect(guard("SELECT 'a\\'; DROP TABLE t; '", my).kind).toBe('read');
      expect(guard('SELECT `a;b` # ;', my).kind).toBe('read');
    });

    it("MySQL: reads an executable comment's body as code", () => {
      expect(refusal('SELECT 1 /*!; DROP TABLE t */', my).code).toBe('QUERY_MULTIPLE_STATEMENTS');
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
