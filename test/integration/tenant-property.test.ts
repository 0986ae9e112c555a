import { LruCacheStore, NotFoundError } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { seededRandom as random } from '../support/seeded-random';
import { TARGETS } from '../support/servers';
import { tenantSwitch } from '../support/tenant-switch';

/**
 * Tenant isolation as a property: random operations by tenants that differ only by case or a
 * trailing space run through every path (CRUD, each bulk call, createBatched, cached reads,
 * warming) of one repository whose resolver names the caller's tenant, as a service's would.
 * Each read must return exactly the caller's rows as a plain model predicts, and after each round
 * the table must equal the model: no path reads, writes or caches across tenants.
 */

const TENANTS = ['acme', 'ACME', 'acme ', 'beta'] as const;
const DEPARTMENTS = ['eng', 'ops'] as const;
/** Each round runs every path once. */
const ROUNDS = 200;

interface ModelRow {
  id: number;
  email: string;
  tenant: string;
  name: string;
  salary: number;
  department: string;
  deleted: boolean;
}

describe.each(TARGETS)('tenant isolation property on %s', (dialect) => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());

  it(`${ROUNDS} rounds of every path by tenants differing by case and trailing space`, async () => {
    await db.dataSource.query('DELETE FROM employees');
    const { resolve, as } = tenantSwitch();
    const repo = new EmployeeRepository(db.dataSource, {
      tenant: { column: 'tenantId', resolve },
      cache: {
        store: new LruCacheStore(),
        keyPrefix: `tenant-property-${dialect}`,
        warming: { trackUsage: true, minUsageCount: 1 },
      },
    });
    const rnd = random(20261204);
    const pick = <V>(list: readonly V[]): V => list[Math.floor(rnd() * list.length)]!;
    const model = new Map<string, ModelRow>();
    let serial = 0;
    const fresh = () => {
      const n = ++serial;
      return { name: `P${n} Ünï`, email: `p${n}@t.io`, salary: Math.floor(rnd() * 1000) };
    };
    const rows = () => [...model.values()];
    const visible = (tenant: string) => rows().filter((r) => r.tenant === tenant && !r.deleted);
    const anyRow = () => (model.size > 0 ? pick(rows()) : undefined);
    const ids = (list: readonly { id: number }[]) => list.map((r) => r.id).sort((a, b) => a - b);
    const adopt = (e: Employee, tenant: string) =>
      model.set(e.email, {
        id: e.id,
        email: e.email,
        tenant,
        name: e.name,
        salary: e.salary!,
        department: e.department!,
        deleted: false,
      });
    const visibleTo = (row: ModelRow | undefined, tenant: string) =>
      row !== undefined && row.tenant === tenant && !row.deleted;

    const paths: Record<string, (tenant: string) => Promise<void>> = {
      create: async (tenant) => {
        const dto = { ...fresh(), department: pick(DEPARTMENTS) };
        adopt(await as(tenant, () => repo.create(dto)), tenant);
      },
      createBatched: async (tenant) => {
        const dto = { ...fresh(), department: pick(DEPARTMENTS) };
        adopt(await as(tenant, () => repo.createBatched(dto)), tenant);
      },
      bulkCreate: async (tenant) => {
        // New rows, and one whose email another row (any tenant's) already has.
        const taken = anyRow();
        const input = [fresh(), fresh(), ...(taken ? [{ ...fresh(), email: taken.email }] : [])];
        const dtos = input.map((r) => ({ ...r, department: pick(DEPARTMENTS) }));
        const result = await as(tenant, () => repo.bulkCreate(dtos));
        expect(result.errors.map((e) => e.index)).toEqual(taken ? [2] : []);
        const stored = await db.dataSource.getRepository(Employee).find();
        for (const dto of dtos.slice(0, 2))
          adopt(
            stored.find((e) => e.email === dto.email)!,
            tenant,
          );
      },
      bulkUpsert: async (tenant) => {
        // One of each: a row of the caller's, a row that is not (another tenant's or deleted), a new one.
        const own = visible(tenant)[0];
        const foreign = rows().find((r) => !visibleTo(r, tenant));
        const salary = Math.floor(rnd() * 1000);
        const input = [
          ...(own
            ? [{ name: own.name, email: own.email, salary, department: own.department }]
            : []),
          ...(foreign ? [{ name: 'x', email: foreign.email, salary, department: 'eng' }] : []),
          { ...fresh(), department: pick(DEPARTMENTS) },
        ];
        const result = await as(tenant, () =>
          repo.bulkUpsert(input, { conflictTarget: ['email'] }),
        );
        const refused = foreign ? [own ? 1 : 0] : [];
        expect(result.errors.map((e) => e.index)).toEqual(refused);
        if (own) own.salary = salary;
        const created = input[input.length - 1]!;
        const stored = await db.dataSource.getRepository(Employee).findOneByOrFail({
          email: created.email,
        });
        adopt(stored, tenant);
      },
      findById: async (tenant) => {
        const row = anyRow();
        if (!row) return;
        const found = await as(tenant, () => repo.findById(row.id));
        expect(found?.id ?? null).toBe(visibleTo(row, tenant) ? row.id : null);
      },
      findOne: async (tenant) => {
        const row = anyRow();
        if (!row) return;
        const found = await as(tenant, () => repo.findOne({ email: row.email }));
        expect(found?.id ?? null).toBe(visibleTo(row, tenant) ? row.id : null);
      },
      list: async (tenant) => {
        const floor = Math.floor(rnd() * 1000);
        const found = await as(tenant, () => repo.list({ filters: { salary__gte: floor } }));
        expect(ids(found)).toEqual(ids(visible(tenant).filter((r) => r.salary >= floor)));
      },
      count: async (tenant) => {
        const department = pick(DEPARTMENTS);
        const n = await as(tenant, () => repo.count({ department }));
        expect(n).toBe(visible(tenant).filter((r) => r.department === department).length);
      },
      exists: async (tenant) => {
        const row = anyRow();
        if (!row) return;
        const found = await as(tenant, () => repo.exists({ email: row.email }));
        expect(found).toBe(visibleTo(row, tenant));
      },
      update: async (tenant) => {
        const row = anyRow();
        if (!row) return;
        const salary = Math.floor(rnd() * 1000);
        const outcome = await as(tenant, () => repo.update(row.id, { salary })).then(
          () => 'updated',
          (e: unknown) => (e instanceof NotFoundError ? 'not found' : e),
        );
        expect(outcome).toBe(visibleTo(row, tenant) ? 'updated' : 'not found');
        if (outcome === 'updated') row.salary = salary;
      },
      delete: async (tenant) => {
        const row = anyRow();
        if (!row || rnd() < 0.5) return; // deletes at half the rate, so rows remain
        const outcome = await as(tenant, () => repo.delete(row.id)).then(
          () => 'deleted',
          (e: unknown) => (e instanceof NotFoundError ? 'not found' : e),
        );
        expect(outcome).toBe(visibleTo(row, tenant) ? 'deleted' : 'not found');
        if (outcome === 'deleted') row.deleted = true;
      },
      restore: async (tenant) => {
        const row = rows().find((r) => r.deleted) ?? anyRow();
        if (!row) return;
        const outcome = await as(tenant, () => repo.restore(row.id)).then(
          () => 'restored',
          (e: unknown) => (e instanceof NotFoundError ? 'not found' : e),
        );
        expect(outcome).toBe(row.tenant === tenant ? 'restored' : 'not found');
        if (outcome === 'restored') row.deleted = false;
      },
      bulkUpdate: async (tenant) => {
        const department = pick(DEPARTMENTS);
        const salary = Math.floor(rnd() * 1000);
        const batchSize = rnd() < 0.5 ? undefined : 2;
        const result = await as(tenant, () =>
          repo.bulkUpdate({ department }, { salary }, { batchSize }),
        );
        const hit = visible(tenant).filter((r) => r.department === department);
        expect(result.successCount).toBe(hit.length);
        for (const r of hit) r.salary = salary;
      },
      bulkUpdateByIds: async (tenant) => {
        const targets = [anyRow(), anyRow()].filter((r): r is ModelRow => r !== undefined);
        const unique = [...new Map(targets.map((r) => [r.id, r])).values()];
        if (unique.length === 0) return;
        const salary = Math.floor(rnd() * 1000);
        const result = await as(tenant, () =>
          repo.bulkUpdateByIds(unique.map((r) => ({ id: r.id, salary }))),
        );
        const expectedMisses = unique.flatMap((r, i) => (visibleTo(r, tenant) ? [] : [i]));
        expect(result.errors.map((e) => [e.index, e.code])).toEqual(
          expectedMisses.map((i) => [i, 'NOT_FOUND']),
        );
        for (const r of unique) if (visibleTo(r, tenant)) r.salary = salary;
      },
      bulkDelete: async (tenant) => {
        if (rnd() < 0.7) return; // rarely, so rows remain
        const below = Math.floor(rnd() * 200);
        const result = await as(tenant, () => repo.bulkDelete({ salary__lt: below }));
        const hit = visible(tenant).filter((r) => r.salary < below);
        expect(result.successCount).toBe(hit.length);
        for (const r of hit) r.deleted = true;
      },
      warmCache: async (tenant) => {
        // The warmer re-runs recorded reads under their own tenants; what it stores must still be
        // each tenant's own answer.
        await as(tenant, () => repo.warmCache());
        for (const t of TENANTS) {
          const found = await as(t, () => repo.list({ filters: { salary__gte: 0 } }));
          expect(ids(found)).toEqual(ids(visible(t)));
        }
      },
    };

    const runs: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, path] of Object.entries(paths)) {
        await path(pick(TENANTS));
        runs[name] = (runs[name] ?? 0) + 1;
      }
      // The table holds exactly what the model says, tenant by tenant.
      const stored = await db.dataSource.getRepository(Employee).find({ withDeleted: true });
      const actual = stored
        .map((e) => [e.email, e.tenantId, e.salary, e.deletedAt !== null])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      const expected = rows()
        .map((r) => [r.email, r.tenant, r.salary, r.deleted])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(actual).toEqual(expected);
    }
    expect(Object.values(runs)).toEqual(Object.keys(paths).map(() => ROUNDS));
    // Every tenant got rows, so every comparison had something to leak.
    for (const t of TENANTS) expect(rows().some((r) => r.tenant === t)).toBe(true);
  }, 180_000);
});
