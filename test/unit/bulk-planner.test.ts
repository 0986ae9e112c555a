import type { DataSource } from 'typeorm';
import { planChunks } from '../../src/bulk/bulk-planner';
import type { PreparedRow } from '../../src/bulk/row-preparer';
import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';
import { EntityModel } from '../../src/model/entity-model';
import { openDataSource } from '../support/data-sources';
import { Employee } from '../support/employee';

let ds: DataSource;
let model: EntityModel;
beforeAll(async () => {
  ds = (await openDataSource('sqlite', [Employee])).dataSource;
  model = new EntityModel(ds, Employee);
});
afterAll(() => ds.destroy());

const row = (index: number, values: Record<string, unknown>): PreparedRow => ({ index, values });

describe('planChunks', () => {
  it('groups rows by the set of keys they define, in order of first appearance', () => {
    const rows = [
      row(0, { name: 'a', email: 'a' }),
      row(1, { email: 'b', name: 'b', salary: 1 }),
      row(2, { email: 'c', name: 'c' }), // same set as row 0, other key order
      row(3, { name: 'd', email: 'd', salary: 2 }),
    ];
    const chunks = planChunks(rows, model, new PostgresAdapter(), 1000);
    expect(chunks.map((c) => c.rows.map((r) => r.index))).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(chunks.map((c) => c.columns.map((col) => col.property))).toEqual([
      ['email', 'name'],
      ['email', 'name', 'salary'],
    ]);
  });

  it('cuts a group at batchSize', () => {
    const rows = Array.from({ length: 25 }, (_, i) => row(i, { name: 'n', email: `e${i}` }));
    expect(planChunks(rows, model, new PostgresAdapter(), 10).map((c) => c.rows.length)).toEqual([
      10, 10, 5,
    ]);
  });

  it("fits the dialect's bind-parameter limit", () => {
    const values = { name: 'n', email: 'e', department: 'd', salary: 1, active: true };
    const rows = Array.from({ length: 20_000 }, (_, i) => row(i, values));
    const sizes = (adapter: SqliteAdapter | PostgresAdapter) =>
      planChunks(rows, model, adapter, 100_000).map((c) => c.rows.length);
    expect(sizes(new SqliteAdapter())[0]).toBe(Math.floor(32_766 / 5));
    expect(sizes(new PostgresAdapter())[0]).toBe(Math.floor(65_535 / 5));
    expect(sizes(new SqliteAdapter()).reduce((a, b) => a + b)).toBe(20_000);
  });

  it("fits MySQL's packet size", () => {
    const big = 'x'.repeat(10_000);
    const rows = Array.from({ length: 100 }, (_, i) => row(i, { name: big, email: `e${i}` }));
    const chunks = planChunks(rows, model, new MysqlAdapter(256 * 1024), 1000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const bytes = chunk.rows.reduce((sum, r) => sum + String(r.values.name).length * 4, 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(chunks.flatMap((c) => c.rows.map((r) => r.index))).toEqual(rows.map((r) => r.index));
  });
});
