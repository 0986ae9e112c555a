import { NotFoundError, TenantError } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { TARGETS } from '../support/servers';
import { tenantSwitch } from '../support/tenant-switch';

describe.each(TARGETS)('tenant scoping on %s', (dialect) => {
  let db: TestDataSource;
  const { resolve, as } = tenantSwitch();
  let repo: EmployeeRepository;

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    repo = new EmployeeRepository(db.dataSource, {
      tenant: { column: 'tenantId', resolve },
    });
  });

  async function tenantsInTable(): Promise<(string | null)[]> {
    const rows = await db.dataSource
      .getRepository(Employee)
      .find({ withDeleted: true, order: { id: 'ASC' } });
    return rows.map((r) => r.tenantId);
  }

  it('stamps every create with the current tenant', async () => {
    await as('acme', () => repo.create({ name: 'Ada', email: 'ada@acme.io' }));
    await as('globex', () => repo.create({ name: 'Bob', email: 'bob@globex.io' }));
    expect(await tenantsInTable()).toEqual(['acme', 'globex']);
  });

  it('refuses input that names another tenant, and runs nothing', async () => {
    db.queries.reset();
    const error = await as('acme', () =>
      repo.create({ name: 'Eve', email: 'eve@x.io', tenantId: 'globex' }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(TenantError);
    expect(error.code).toBe('TENANT_MISMATCH');
    expect(db.queries.count).toBe(0);
    expect(await tenantsInTable()).toEqual([]);
  });

  it('fails closed when no tenant is resolved', async () => {
    db.queries.reset();
    await expect(repo.list()).rejects.toMatchObject({ code: 'TENANT_MISSING' });
    await expect(repo.create({ name: 'Ada', email: 'ada@x.io' })).rejects.toMatchObject({
      code: 'TENANT_MISSING',
    });
    expect(db.queries.count).toBe(0);
  });

  async function table(): Promise<[string, string | null, number | null, boolean][]> {
    const rows = await db.dataSource
      .getRepository(Employee)
      .find({ withDeleted: true, order: { id: 'ASC' } });
    return rows.map((r) => [r.name, r.tenantId, r.salary, r.deletedAt === null]);
  }

  it("tenant 'ACME' and 'acme ' do not see or update tenant 'acme' rows", async () => {
    const a = await as('acme', () => repo.create({ name: 'Ada', email: 'ada@acme.io', salary: 1 }));
    await as('acme', () => repo.create({ name: 'Al', email: 'al@acme.io', salary: 2 }));

    for (const other of ['ACME', 'acme ', 'Acme ']) {
      await as(other, async () => {
        expect(await repo.list()).toEqual([]);
        expect(await repo.count()).toBe(0);
        expect(await repo.findById(a.id)).toBeNull();
        expect(await repo.exists({ name: 'Ada' })).toBe(false);
        await expect(repo.update(a.id, { salary: 999 })).rejects.toBeInstanceOf(NotFoundError);
        await expect(repo.delete(a.id)).rejects.toBeInstanceOf(NotFoundError);
        expect((await repo.bulkUpdate({ name: 'Ada' }, { salary: 999 })).successCount).toBe(0);
        expect((await repo.bulkUpdate({ tenantId: 'acme' }, { salary: 999 })).successCount).toBe(0);
        expect((await repo.bulkDelete({ name: 'Al' })).successCount).toBe(0);
        expect((await repo.bulkDelete({ tenantId: 'acme' }, { soft: false })).successCount).toBe(0);
        const byIds = await repo.bulkUpdateByIds([{ id: a.id, salary: 999 }]);
        expect(byIds.errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
        // The upsert's own guard: the conflicting row is acme's, so it is left alone.
        const upsert = await repo.bulkUpsert(
          [{ name: 'Mallory', email: 'ada@acme.io', salary: 999 }],
          { conflictTarget: ['email'] },
        );
        expect(upsert.errors).toEqual([expect.objectContaining({ code: 'UNIQUE_VIOLATION' })]);
      });
    }
    // The cached-or-not answer of acme itself is unchanged.
    await as('acme', async () => {
      expect(await repo.count()).toBe(2);
      expect((await repo.findById(a.id))?.salary).toBe(1);
    });

    expect(await table()).toEqual([
      ['Ada', 'acme', 1, true],
      ['Al', 'acme', 2, true],
    ]);
  });

  it("bulkUpsert with another tenant's tenantId is refused and B's row is unchanged", async () => {
    await as('globex', () => repo.create({ name: 'Bob', email: 'bob@globex.io', salary: 2 }));
    db.queries.reset();
    for (const tenantId of ['globex', 'ACME', 'acme ']) {
      const error = await as('acme', () =>
        repo.bulkUpsert([{ name: 'Mallory', email: 'bob@globex.io', salary: 999 }], {
          conflictTarget: ['email'],
          tenantId,
        }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantError);
      expect(error).toMatchObject({ code: 'TENANT_MISMATCH' });
      const created = await as('acme', () =>
        repo.bulkCreate([{ name: 'Eve', email: 'eve@acme.io' }], { tenantId }),
      ).catch((e: unknown) => e);
      expect(created).toMatchObject({ code: 'TENANT_MISMATCH' });
    }
    expect(db.queries.count).toBe(0);
    expect(await table()).toEqual([['Bob', 'globex', 2, true]]);

    // The current tenant named explicitly is fine; crossTenant is the deliberate way across.
    await as('acme', () =>
      repo.bulkCreate([{ name: 'Ada', email: 'ada@acme.io', salary: 1 }], { tenantId: 'acme' }),
    );
    await as('acme', () =>
      repo.bulkUpsert([{ name: 'Bobby', email: 'bob@globex.io', salary: 3 }], {
        conflictTarget: ['email'],
        tenantId: 'globex',
        crossTenant: true,
      }),
    );
    expect(await table()).toEqual([
      ['Bobby', 'globex', 3, true],
      ['Ada', 'acme', 1, true],
    ]);
  });

  it("never reads, updates, deletes or restores another tenant's rows", async () => {
    const a = await as('acme', () => repo.create({ name: 'Ada', email: 'ada@acme.io', salary: 1 }));
    await as('globex', () => repo.create({ name: 'Bob', email: 'bob@globex.io', salary: 2 }));

    await as('globex', async () => {
      expect(await repo.findById(a.id)).toBeNull();
      expect(await repo.findOne({ email: 'ada@acme.io' })).toBeNull();
      expect((await repo.list()).map((e) => e.name)).toEqual(['Bob']);
      expect(await repo.count()).toBe(1);
      expect(await repo.exists({ name: 'Ada' })).toBe(false);
      // An explicit filter on the tenant column cannot widen the scope.
      expect(await repo.count({ tenantId: 'acme' })).toBe(0);
      await expect(repo.update(a.id, { salary: 999 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(repo.delete(a.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(repo.delete(a.id, { soft: false, withDeleted: true })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });
    await as('acme', () => repo.delete(a.id));
    await as('globex', async () => {
      await expect(repo.restore(a.id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await repo.list({ withDeleted: true })).toHaveLength(1);
    });

    const rows = await db.dataSource
      .getRepository(Employee)
      .find({ withDeleted: true, order: { id: 'ASC' } });
    expect(rows.map((r) => [r.name, r.salary, r.deletedAt === null])).toEqual([
      ['Ada', 1, false],
      ['Bob', 2, true],
    ]);
  });
});
