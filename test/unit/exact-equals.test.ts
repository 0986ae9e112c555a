import Database from 'better-sqlite3';
import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';

describe('exactEquals (the tenant guard)', () => {
  it('binds the value once per occurrence, and keeps the plain `=` first for the index', () => {
    const forms = [new PostgresAdapter(), new MysqlAdapter(), new SqliteAdapter()].map((a) => {
      let n = 0;
      return a.syntax.exactEquals('c', () => `:p${n++}`);
    });
    expect(forms).toEqual([
      'c = :p0 AND c::text = :p1::text COLLATE "C"',
      'c = :p0 AND CAST(CONVERT(c USING utf8mb4) AS BINARY) = CAST(CONVERT(:p1 USING utf8mb4) AS BINARY)',
      'c = :p0 AND c = :p1 COLLATE BINARY',
    ]);
  });

  it('SQLite: a NOCASE or RTRIM column still compares exactly', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (k INTEGER, a TEXT COLLATE NOCASE, b TEXT COLLATE RTRIM)');
      db.exec('CREATE INDEX t_a ON t (a)');
      db.exec("INSERT INTO t VALUES (1, 'acme', 'acme'), (2, 'ACME', 'acme ')");
      const lite = new SqliteAdapter();
      const keys = (column: string, value: string) => {
        const params: string[] = [];
        const sql = lite.syntax.exactEquals(column, () => (params.push(value), '?'));
        const rows = db.prepare(`SELECT k FROM t WHERE ${sql} ORDER BY k`).all(...params);
        return (rows as { k: number }[]).map((r) => r.k);
      };
      expect(keys('a', 'acme')).toEqual([1]);
      expect(keys('a', 'ACME')).toEqual([2]);
      expect(keys('b', 'acme')).toEqual([1]);
      expect(keys('b', 'acme ')).toEqual([2]);
    } finally {
      db.close();
    }
  });
});
