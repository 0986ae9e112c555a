import { adapterFor, DialectAdapter, registerDialect, useDialect } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { TARGETS } from '../support/servers';
import { tenantSwitch } from '../support/tenant-switch';

/**
 * Statements that take their size from the bind-parameter limit leave room for the values their
 * filter and guards bind. The dialect here is the target's own with a limit of 60, so that
 * every statement can be checked against it; each case would send 61 or more without the room.
 */
const LIMIT = 60;

describe.each(TARGETS)('the bind-parameter budget on %s', (target) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;
  const { resolve, as } = tenantSwitch();

  beforeAll(async () => {
    db = await openDataSource(target, [Employee]);
    const base = adapterFor(db.dataSource);
    const name = `tiny-bind-${target}-${process.env.JEST_WORKER_ID ?? '1'}`;
    registerDialect(
      name,
      () =>
        new DialectAdapter(base.name, {
          capabilities: { ...base.capabilities, maxBindParameters: LIMIT },
          syntax: base.syntax,
          binding: base.binding,
          errors: base.errors,
          bulkLoad: base.bulkLoad,
        }),
    );
    useDialect(db.dataSource, name);
    repo = new EmployeeRepository(db.dataSource, { tenant: { column: 'tenantId', resolve } });
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(() => db.dataSource.query('DELETE FROM employees'));

  async function seed(n: number): Promise<number[]> {
    const rows = Array.from({ length: n }, (_, i) => ({
      name: `Émile ${i}`,
      email: `e${i}@acme.io`,
      salary: 100 + i,
    }));
    const { errors, createdIds: ids } = await as('acme', () => repo.bulkCreate(rows));
    expect(errors).toEqual([]);
    return ids as number[];
  }

  function widest(statements: readonly string[]): number {
    const { queries } = db;
    let most = 0;
    for (const sql of statements) {
      const at = queries.queries.lastIndexOf(sql);
      most = Math.max(most, queries.parameters[at]?.length ?? 0);
    }
    return most;
  }

  it('bulkUpdate by a filter of 30 values, in pages of 40 keys: no statement past the limit', async () => {
    await seed(100);
    const excluded = Array.from({ length: 30 }, (_, i) => `nobody ${i}`);
    const sent = await db.queries.during(() =>
      as('acme', () =>
        repo.bulkUpdate(
          { name__nin: excluded },
          { salary: 7 },
          { batchSize: 40, emitEvents: false },
        ),
      ),
    );
    expect(widest(sent)).toBeLessThanOrEqual(LIMIT);
    const rows = await db.dataSource.getRepository(Employee).find();
    expect(rows).toHaveLength(100);
    expect(rows.every((r) => r.salary === 7 && r.version === 2)).toBe(true);
  });

  it('bulkUpdateByIds of 40 rows under the tenant guard: chunks leave room for the guard', async () => {
    const ids = await seed(40);
    const sent = await db.queries.during(() =>
      as('acme', () =>
        repo.bulkUpdateByIds(
          ids.map((id, i) => ({ id, salary: 1000 + i })),
          { emitEvents: false },
        ),
      ),
    );
    expect(widest(sent)).toBeLessThanOrEqual(LIMIT);
    const rows = await db.dataSource.getRepository(Employee).find({ order: { id: 'ASC' } });
    expect(rows.map((r) => r.salary)).toEqual(ids.map((_, i) => 1000 + i));
  });
});
