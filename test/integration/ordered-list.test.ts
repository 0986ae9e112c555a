import { Allow } from 'class-validator';
import { Column, Entity, Index, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { BaseRepository, FilterError, type ListPage } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { TARGETS } from '../support/servers';

/**
 * `list()` writes an ORDER BY the index can serve: no NULL-ordering clause for a NOT NULL column,
 * and the appended primary key in the last sort key's direction. Its results equal a plain model
 * (NULLs the smallest value), the plan uses the index with no sort, and keyset pages cover the
 * same rows as one big list.
 */
@Entity('payroll')
class Payroll {
  @PrimaryGeneratedColumn() id!: number;
  @Index('idx_payroll_salary') @Column({ type: Number }) salary!: number;
  @Column({ type: Number, nullable: true }) bonus!: number | null;
  @Column({ type: String, length: 20 }) department!: string;
}

class PayrollDto {
  @Allow() salary?: number;
  @Allow() bonus?: number | null;
  @Allow() department?: string;
}

class PayrollRepository extends BaseRepository<Payroll, PayrollDto, PayrollDto> {
  constructor(dataSource: DataSource) {
    super(dataSource, Payroll, { createDto: PayrollDto, updateDto: PayrollDto });
  }
}

const ROWS = 20_000;
const DEPARTMENTS = ['eng', 'ops', 'sales', 'hr'];
const input = Array.from({ length: ROWS }, (_, i) => ({
  salary: (i * 7919) % 500, // many ties
  bonus: i % 7 === 0 ? null : (i * 31) % 90,
  department: DEPARTMENTS[i % 4]!,
}));

type Key = { field: keyof Payroll; desc: boolean };

/** The model's order: each key with NULLs smallest, then the id in the last key's direction. */
function modelOrder(rows: Payroll[], keys: Key[]): Payroll[] {
  const last = keys[keys.length - 1];
  const all = [...keys, { field: 'id' as const, desc: last?.desc ?? false }];
  const cmp = (a: unknown, b: unknown) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as number) < (b as number) ? -1 : 1;
  return [...rows].sort((x, y) => {
    for (const { field, desc } of all) {
      const c = cmp(x[field], y[field]);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}

const toOrderBy = (keys: Key[]) => keys.map((k) => `${k.desc ? '-' : ''}${k.field}`);

describe.each(TARGETS)('ordered lists on %s', (dialect) => {
  let db: TestDataSource;
  let repo: PayrollRepository;
  let table: Payroll[];

  beforeAll(async () => {
    db = await openDataSource(dialect, [Payroll]);
    repo = new PayrollRepository(db.dataSource);
    await repo.bulkCreate(input);
    table = await db.dataSource.getRepository(Payroll).find();
    // Fresh statistics, so that the planner knows the table is not tiny.
    const analyze = {
      postgres: 'ANALYZE payroll',
      mysql: 'ANALYZE TABLE payroll',
      sqlite: 'ANALYZE',
    };
    await db.dataSource.query(analyze[db.dialect]);
  });
  afterAll(() => db.dataSource.destroy());

  const orders: Key[][] = [
    [{ field: 'salary', desc: true }],
    [{ field: 'salary', desc: false }],
    [{ field: 'bonus', desc: true }],
    [{ field: 'bonus', desc: false }],
    [
      { field: 'department', desc: false },
      { field: 'bonus', desc: true },
    ],
  ];

  it.each(orders.map((keys) => [toOrderBy(keys).join(','), keys] as const))(
    'orderBy %s: the same rows in the same order as the model, NULLs the smallest, on every page',
    async (_name, keys) => {
      const expected = modelOrder(table, keys).map((r) => r.id);
      const all = await repo.list({ orderBy: toOrderBy(keys) });
      expect(all.map((r) => r.id)).toEqual(expected);
      const page = await repo.list({ orderBy: toOrderBy(keys), limit: 50, offset: 12_210 });
      expect(page.map((r) => r.id)).toEqual(expected.slice(12_210, 12_260));
      const filtered = await repo.list({
        filters: { salary__lt: 300, department__in: ['eng', 'ops'] },
        orderBy: toOrderBy(keys),
        limit: 50,
      });
      const matching = modelOrder(
        table.filter((r) => r.salary < 300 && ['eng', 'ops'].includes(r.department)),
        keys,
      );
      expect(filtered.map((r) => r.id)).toEqual(matching.slice(0, 50).map((r) => r.id));
    },
  );

  it.each(orders.map((keys) => [toOrderBy(keys).join(','), keys] as const))(
    'keyset pages with orderBy %s cover every row once, in order, and the last full page has a null cursor',
    async (_name, keys) => {
      const expected = modelOrder(table, keys).map((r) => r.id);
      const seen: number[] = [];
      let after: string | null = null;
      let pages = 0;
      while (pages++ < 1_000) {
        const page: ListPage<Payroll> = await repo.list({
          orderBy: toOrderBy(keys),
          limit: 500,
          after,
        });
        seen.push(...page.items.map((r) => r.id));
        after = page.nextCursor;
        if (after === null) break;
      }
      expect(seen).toEqual(expected);
      // 20,000 rows are 40 full pages: the 40th says it is the last (no empty 41st page).
      expect(pages).toBe(ROWS / 500);
    },
  );

  it('a tampered, foreign or malformed cursor is FILTER_INVALID_CURSOR, and after with offset is refused, before SQL', async () => {
    const { nextCursor } = await repo.list({ orderBy: '-salary', limit: 10, after: null });
    expect(nextCursor).not.toBeNull();
    const json = JSON.parse(Buffer.from(nextCursor!, 'base64url').toString()) as {
      o: string;
      v: unknown[];
    };
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'not a cursor!',
      forge({ ...json, v: ['x', 1] }), // salary no number
      forge({ ...json, v: [null, 1] }), // salary NOT NULL
      forge({ ...json, v: [1] }),
      forge({ o: 'bonus:DESC,id:DESC', v: json.v }),
      Buffer.from('{').toString('base64url'),
    ];
    for (const after of bad) {
      const sql = await db.queries.during(() =>
        expect(repo.list({ orderBy: '-salary', limit: 10, after })).rejects.toMatchObject({
          code: 'FILTER_INVALID_CURSOR',
          key: 'after',
        }),
      );
      expect(sql).toEqual([]);
    }
    // A cursor of another order.
    await expect(repo.list({ orderBy: 'salary', limit: 10, after: nextCursor })).rejects.toThrow(
      FilterError,
    );
    await expect(
      repo.list({ orderBy: '-salary', limit: 10, offset: 5, after: nextCursor } as never),
    ).rejects.toMatchObject({ code: 'FILTER_INVALID_VALUE', key: 'offset' });
  });

  /** The statement list() ran, with its bound values. */
  async function listSql(run: () => Promise<unknown>): Promise<{ sql: string; params: unknown[] }> {
    const start = db.queries.queries.length;
    await run();
    const at = db.queries.queries.findIndex((q, i) => i >= start && /^\s*SELECT/i.test(q));
    return { sql: db.queries.queries[at]!, params: db.queries.parameters[at] ?? [] };
  }

  it('pins the SQL of an indexed page per dialect: no NULLS clause for NOT NULL, the id in the same direction', async () => {
    const { sql, params } = await listSql(() =>
      repo.list({
        filters: { salary__lt: 300, department__in: ['eng', 'ops'] },
        orderBy: '-salary',
        limit: 50,
      }),
    );
    const columns = {
      postgres: '"id", "salary", "bonus", "department"',
      mysql: '`id`, `salary`, `bonus`, `department`',
      sqlite: '"id", "salary", "bonus", "department"',
    }[db.dialect];
    const expected = {
      postgres: `SELECT ${columns} FROM "payroll" WHERE ("salary" < $1 AND "department" = ANY($2)) ORDER BY "salary" DESC, "id" DESC LIMIT 50`,
      mysql: `SELECT ${columns} FROM \`payroll\` WHERE (\`salary\` < ? AND \`department\` IN (?, ?)) ORDER BY \`salary\` DESC, \`id\` DESC LIMIT 50`,
      sqlite: `SELECT ${columns} FROM "payroll" WHERE ("salary" < ? AND "department" IN (?, ?)) ORDER BY "salary" DESC, "id" DESC LIMIT 50`,
    }[db.dialect];
    expect(sql.replace(/FROM "\w+"\."payroll"/, 'FROM "payroll"')).toBe(expected);
    expect(params).toEqual(db.dialect === 'postgres' ? [300, ['eng', 'ops']] : [300, 'eng', 'ops']);
    const nullable = await listSql(() => repo.list({ orderBy: '-bonus', limit: 5 }));
    expect(nullable.sql).toContain(
      db.dialect === 'postgres' ? 'ORDER BY "bonus" DESC NULLS LAST, "id" DESC' : 'DESC, ',
    );
  });

  it('count() and exists() write no ORDER BY, and exists() reads at most one row', async () => {
    const count = await db.queries.during(() => repo.count({ salary__lt: 100 }));
    const exists = await db.queries.during(() => repo.exists({ salary__lt: 100 }));
    for (const sql of [...count, ...exists]) expect(sql).not.toMatch(/ORDER BY/i);
    expect(exists.join('\n')).toMatch(/LIMIT 1|EXISTS/i);
  });

  /** The plan of `sql`, as text lines or JSON, per dialect. */
  async function plan(sql: string, params: unknown[]): Promise<string> {
    const prefix = {
      postgres: 'EXPLAIN (FORMAT JSON) ',
      mysql: 'EXPLAIN FORMAT=JSON ',
      sqlite: 'EXPLAIN QUERY PLAN ',
    }[db.dialect];
    const rows = (await db.dataSource.query(prefix + sql, params)) as Record<string, unknown>[];
    return JSON.stringify(rows);
  }

  it.each([
    ['-salary', {}],
    ['salary', {}],
    ['-salary', { salary__lt: 300, department__in: ['eng', 'ops'] }],
    ['salary', { salary__gte: 100, department__in: ['eng', 'ops'] }],
  ] as const)(
    'orderBy %s with filters %j: the plan reads the salary index in order, no sort',
    async (orderBy, filters) => {
      const { sql, params } = await listSql(() =>
        repo.list({ filters: filters as never, orderBy, limit: 50 }),
      );
      const explained = await plan(sql, params);
      switch (db.dialect) {
        case 'postgres':
          // A btree on (salary) does not order ties by id: PostgreSQL sorts within each run of
          // equal salaries (Incremental Sort, presorted by salary), never the whole set.
          expect(explained).toContain('idx_payroll_salary');
          expect(explained).not.toMatch(/"Node Type\\?":\s*\\?"Sort\\?"/);
          if (explained.includes('Incremental Sort')) {
            expect(explained).toMatch(/Presorted Key\\?":\s*\[\\?"salary\\?"\]/);
          }
          break;
        case 'mysql':
          expect(explained).toContain('idx_payroll_salary');
          expect(explained).not.toMatch(/using_filesort\\?":\s*true/);
          break;
        case 'sqlite':
          expect(explained).toContain('idx_payroll_salary');
          expect(explained).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
          break;
      }
    },
  );
});
