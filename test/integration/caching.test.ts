import type { DataSource } from 'typeorm';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS } from '../support/servers';
import { openStore, STORE_KINDS, type OpenStore } from '../support/cache-stores';

const combos = DIALECTS.flatMap((dialect) => STORE_KINDS.map((kind) => [dialect, kind] as const));

// A hit is proven by counting the statements that actually reached the database.
describe.each(combos)('caching on %s with the %s store', (dialect, kind) => {
  let db: TestDataSource;
  let open: OpenStore;
  let repo: EmployeeRepository;

  const cached = (dataSource: DataSource, extra = {}) =>
    new EmployeeRepository(dataSource, {
      cache: { store: open.store, ttlSeconds: 60, keyPrefix: `emp`, ...extra },
    });

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    open = await openStore(kind);
    repo = cached(db.dataSource);
    db.queries.reset();
  });
  afterEach(() => open.close());

  let n = 0;
  const dto = (over: Record<string, unknown> = {}) => ({
    name: `E${++n}`,
    email: `e${n}@example.com`,
    department: 'eng',
    salary: 100,
    ...over,
  });

  /** Statements run by `fn`. */
  async function statements(fn: () => Promise<unknown>): Promise<number> {
    const before = db.queries.count;
    await fn();
    return db.queries.count - before;
  }

  describe('hits', () => {
    it('findById: a repeat read runs no query and returns an equal, separate entity', async () => {
      const { id } = await repo.create(dto());
      expect(await statements(() => repo.findById(id))).toBe(1);
      let again: Employee | null = null;
      expect(await statements(async () => (again = await repo.findById(id)))).toBe(0);
      const first = await repo.findById(id);
      expect(first).toBeInstanceOf(Employee);
      expect(first).toEqual(again);
      first!.createdAt.setFullYear(1999); // mutating what we were given must not reach the cache
      first!.name = 'mutated';
      const third = await repo.findById(id);
      expect(third!.name).not.toBe('mutated');
      expect(third!.createdAt.getFullYear()).not.toBe(1999);
    });

    it('findOne, list and count: repeat reads run no query', async () => {
      await repo.bulkCreate([dto(), dto({ department: 'ops' }), dto()]);
      const reads = [
        () => repo.findOne({ department: 'ops' }),
        () => repo.list({ filters: { department: 'eng' }, orderBy: '-salary', limit: 10 }),
        () => repo.count({ salary__gte: 50 }),
      ];
      for (const read of reads) {
        const first = await read();
        expect(await statements(read)).toBe(0);
        expect(await read()).toEqual(first);
      }
      // The same filters in another key order are the same query.
      await repo.list({ filters: { department: 'eng', salary__gte: 1 } });
      expect(
        await statements(() => repo.list({ filters: { salary__gte: 1, department: 'eng' } })),
      ).toBe(0);
    });

    it('caches a missing row too, until it is created', async () => {
      expect(await repo.findById(999_999)).toBeNull();
      expect(await statements(() => repo.findById(999_999))).toBe(0);
    });

    it('only caches the configured operations', async () => {
      const onlyIds = cached(db.dataSource, { operations: ['findById'] });
      await onlyIds.count();
      expect(await statements(() => onlyIds.count())).toBe(1);
    });

    it('runs one query for concurrent identical misses (single-flight)', async () => {
      const { id } = await repo.create(dto());
      const rows = await Promise.all(Array.from({ length: 20 }, () => repo.findById(id)));
      expect(new Set(rows.map((r) => r!.id))).toEqual(new Set([id]));
      db.queries.reset();
      await repo.invalidateCache();
      const count = await statements(() =>
        Promise.all(Array.from({ length: 20 }, () => repo.count({ department: 'eng' }))),
      );
      expect(count).toBe(1);
      expect(repo.cacheMetrics()!.singleFlightJoins).toBeGreaterThan(0);
    });
  });

  describe('never stale after a write', () => {
    /** Warms findById, list and count, runs `write`, and checks the next reads see it. */
    async function expectFresh(write: () => Promise<unknown>, id: number) {
      await repo.findById(id);
      await repo.list({ filters: { department: 'eng' } });
      await repo.count();
      await write();
      const raw = await db.dataSource
        .getRepository(Employee)
        .createQueryBuilder('e')
        .withDeleted()
        .where('e.id = :id', { id })
        .getOne();
      const visible = raw && raw.deletedAt === null ? raw : null;
      const found = await repo.findById(id);
      expect(found?.version ?? null).toEqual(visible?.version ?? null);
      expect(found?.salary ?? null).toEqual(visible?.salary ?? null);
      const listed = (await repo.list({ filters: { department: 'eng' } })).find((e) => e.id === id);
      expect(listed?.salary ?? null).toEqual(
        visible && visible.department === 'eng' ? visible.salary : null,
      );
      const live = await db.dataSource.getRepository(Employee).count();
      expect(await repo.count()).toBe(live);
    }

    it.each([
      ['update', (r: EmployeeRepository, id: number) => r.update(id, { salary: 200 })],
      ['delete (soft)', (r: EmployeeRepository, id: number) => r.delete(id)],
      ['delete (hard)', (r: EmployeeRepository, id: number) => r.delete(id, { soft: false })],
      [
        'bulkUpdate',
        (r: EmployeeRepository) => r.bulkUpdate({ department: 'eng' }, { salary: 300 }),
      ],
      ['bulkDelete', (r: EmployeeRepository) => r.bulkDelete({ department: 'eng' })],
      [
        'bulkUpdateByIds',
        (r: EmployeeRepository, id: number) => r.bulkUpdateByIds([{ id, salary: 400 }]),
      ],
      [
        'bulkUpsert',
        (r: EmployeeRepository, id: number) =>
          r.findById(id).then((e) =>
            r.bulkUpsert([{ name: 'Up', email: e!.email, salary: 500 }], {
              conflictTarget: ['email'],
            }),
          ),
      ],
    ] as const)('after %s', async (_name, write) => {
      const { id } = await repo.create(dto());
      await expectFresh(() => write(repo, id), id);
    });

    it('after create and bulkCreate', async () => {
      const { id } = await repo.create(dto());
      await repo.count();
      await repo.list();
      await repo.create(dto());
      expect(await repo.count()).toBe(2);
      await repo.bulkCreate([dto(), dto()]);
      expect(await repo.count()).toBe(4);
      expect((await repo.list()).length).toBe(4);
      expect(await repo.findById(id)).not.toBeNull();
    });

    it('a write returns the row it wrote, not the cached one', async () => {
      const { id } = await repo.create(dto());
      await repo.findById(id);
      const updated = await repo.update(id, { salary: 5 });
      expect(updated).toMatchObject({ salary: 5, version: 2 });
      await repo.delete(id);
      await repo.findById(id, { withDeleted: true });
      expect((await repo.restore(id)).deletedAt).toBeNull();
    });

    it('after restore', async () => {
      const { id } = await repo.create(dto());
      await repo.delete(id);
      expect(await repo.findById(id)).toBeNull();
      await repo.restore(id);
      expect(await repo.findById(id)).not.toBeNull();
    });

    it('across repositories sharing the store (another instance of the service)', async () => {
      const other = cached(db.dataSource);
      const { id } = await repo.create(dto());
      expect((await other.findById(id))!.salary).toBe(100);
      await repo.update(id, { salary: 999 });
      expect((await other.findById(id))!.salary).toBe(999);
    });
  });

  describe('transactions', () => {
    it('reads inside a transaction bypass the cache', async () => {
      const { id } = await repo.create(dto());
      await repo.findById(id);
      await db.dataSource.transaction(async (manager) => {
        const tx = repo.withManager(manager);
        const before = db.queries.count;
        await tx.findById(id);
        await tx.findById(id);
        expect(db.queries.count - before).toBe(2);
      });
    });

    it('invalidates at commit; a reader outside sees the old row until then', async () => {
      const { id } = await repo.create(dto());
      await repo.findById(id);
      await db.dataSource.transaction(async (manager) => {
        await repo.withManager(manager).update(id, { salary: 777 });
        if (dialect !== 'sqlite') {
          // Another connection still sees the committed row, and so does the cache.
          expect((await repo.findById(id))!.salary).toBe(100);
        }
      });
      expect((await repo.findById(id))!.salary).toBe(777);
    });

    it('a rollback leaves the cache as it was', async () => {
      const { id } = await repo.create(dto());
      await repo.findById(id);
      await repo.count();
      const invalidations = repo.cacheMetrics()!.invalidations;
      await expect(
        db.dataSource.transaction(async (manager) => {
          await repo.withManager(manager).update(id, { salary: 1 });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(repo.cacheMetrics()!.invalidations).toBe(invalidations);
      expect(await statements(() => repo.findById(id))).toBe(0);
      expect((await repo.findById(id))!.salary).toBe(100);
    });
  });

  describe('tenants', () => {
    it('a cached row is never visible to another tenant', async () => {
      let tenant = 'a';
      const scoped = new EmployeeRepository(db.dataSource, {
        tenant: { column: 'tenantId', resolve: () => tenant },
        cache: { store: open.store, keyPrefix: 'emp' },
      });
      const { id } = await scoped.create(dto());
      expect(await scoped.findById(id)).not.toBeNull();
      expect(await scoped.count()).toBe(1);
      tenant = 'b';
      expect(await scoped.findById(id)).toBeNull();
      expect(await scoped.count()).toBe(0);
      expect(await scoped.list()).toEqual([]);
    });
  });

  describe('invalidateCache', () => {
    it('removes matching entries only', async () => {
      const { id } = await repo.create(dto());
      await repo.findById(id);
      await repo.list();
      await repo.count();
      await repo.invalidateCache('list:*');
      expect(await statements(() => repo.list())).toBe(1);
      expect(await statements(() => repo.findById(id))).toBe(0);
      await repo.invalidateCache();
      expect(await statements(() => repo.findById(id))).toBe(1);
    });
  });

  it('reports hits, misses, fills and invalidations', async () => {
    const { id } = await repo.create(dto());
    await repo.findById(id);
    await repo.findById(id);
    const metrics = repo.cacheMetrics()!;
    const tier = kind === 'redis' ? 'l2' : 'l1';
    // The second read hit a tier, or joined the first one's load while its fill was landing.
    const served = metrics.hits.l1 + metrics.hits.l2 + metrics.singleFlightJoins;
    expect(served).toBeGreaterThanOrEqual(1);
    expect(metrics.misses[tier]).toBeGreaterThanOrEqual(1);
    expect(metrics.fills).toBeGreaterThanOrEqual(1);
    expect(metrics.invalidations).toBeGreaterThanOrEqual(1);
    expect(metrics.errors).toBe(0);
  });
});
