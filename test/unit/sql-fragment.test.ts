import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';
import { PositionalParameters } from '../../src/sql/positional-parameters';
import { SqlFragment } from '../../src/sql/sql-fragment';

describe('SqlFragment', () => {
  const clause = SqlFragment.of(
    (bind) => `"a" = ${bind(1)} AND "b" IN (${bind('x')}, ${bind(null)})`,
  );

  it('counts its values before any statement is built', () => {
    expect(clause.parameters).toBe(3);
    expect(clause.params).toEqual([1, 'x', null]);
    expect(SqlFragment.of(() => '1 = 1').parameters).toBe(0);
  });

  it("continues the statement's numbering where it is written (PostgreSQL $n)", () => {
    const params = new PositionalParameters(new PostgresAdapter());
    const head = `SET "c" = ${params.bind('set')}`;
    const sql = `${head} WHERE ${clause.writeInto(params.bind)} LIMIT 5`;
    expect(sql).toBe(`SET "c" = $1 WHERE "a" = $2 AND "b" IN ($3, $4) LIMIT 5`);
    expect(params.values).toEqual(['set', 1, 'x', null]);
  });

  it('writes the same text twice into two statements, each numbered on its own', () => {
    for (let i = 0; i < 2; i++) {
      const params = new PositionalParameters(new SqliteAdapter());
      expect(clause.writeInto(params.bind)).toBe(`"a" = ? AND "b" IN (?, ?)`);
      expect(params.values).toEqual([1, 'x', null]);
    }
  });

  it('refuses SQL text holding a NUL, which would shift every value after it', () => {
    expect(() => SqlFragment.of((bind) => `"we\u0000ird" = ${bind(1)}`)).toThrow(TypeError);
  });
});
