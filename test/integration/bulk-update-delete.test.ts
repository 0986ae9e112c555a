import {
  adapterFor,
  ConfigurationError,
  FilterError,
  ValidationError,
  type RepositoryEventMap,
  type RepositoryEventName,
} from '../../src';
import { CockroachAdapter } from '../../examples/dialects/cockroach-dialect';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import {
  Employee,
  EmployeeRepository,
  ensureSalaryCheck,
  storedEmployees,
} from '../support/employee';
import { Item, ItemRepository } from '../support/item';
import { builtInTarget, DIALECTS, withRegistered } from '../support/servers';

interface Stored {
  id: number;
  email: string;
  name: string;
  salary: number | null;
  department: string | null;
  active: boolean;
  version: number;
  tenantId: string | null;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** A moment long before any test runs: an updatedAt after it proves the column was bumped. */
const PAST = new Date('2001-01-01T00:00:00Z');

const person = (i: number, extra: Partial<Stored> = {}): Partial<Stored> => ({
  name: `Person ${i}`,
  email: `p${i}@example.com`,
  department: 'eng',
  salary: i * 10,
  ...extra,
});

describe.each(withRegistered(DIALECTS))(
  'bulkUpdate, bulkDelete and bulkUpdateByIds on %s',
  (target) => {
    const dialect = builtInTarget(target);
    let db: TestDataSource;
    let repo: EmployeeRepository;

    beforeAll(async () => {
      db = await openDataSource(target, [Employee, Item]);
      await ensureSalaryCheck(db.dataSource);
    });
    afterAll(() => db.dataSource.destroy());
    beforeEach(async () => {
      await db.dataSource.query('DELETE FROM employees');
      repo = new EmployeeRepository(db.dataSource);
      db.queries.reset();
    });

    /** The table's contents, read with TypeORM directly rather than through the repository. */
    async function table(): Promise<Stored[]> {
      return (await storedEmployees(db.dataSource)) as unknown as Stored[];
    }

    /** Inserts rows with TypeORM (version 1) and returns their ids in input order. */
    async function seed(rows: Partial<Stored>[]): Promise<number[]> {
      await db.dataSource.getRepository(Employee).insert(rows);
      const stored = await table();
      return rows.map((row) => stored.find((s) => s.email === row.email)!.id);
    }

    /** Moves every row's updatedAt to {@link PAST}, with plain SQL that touches nothing else. */
    async function backdate(): Promise<void> {
      const column = db.dataSource.getMetadata(Employee).updateDateColumn!;
      const placeholder = dialect === 'postgres' ? '$1' : '?';
      await db.dataSource.query(
        `UPDATE employees SET ${db.dataSource.driver.escape('updatedAt')} = ${placeholder}`,
        [db.dataSource.driver.preparePersistentValue(PAST, column)],
      );
    }

    async function softDelete(id: number): Promise<void> {
      await db.dataSource.getRepository(Employee).softDelete(id);
    }

    /** Runs `fn` and returns the write statements it ran. */
    async function statementsOf(fn: () => Promise<unknown>, verb: 'UPDATE' | 'DELETE') {
      db.queries.reset();
      await fn();
      return db.queries.queries.filter((q) => new RegExp(`^\\s*${verb}\\b`, 'i').test(q));
    }

    function listen<E extends RepositoryEventName>(
      on: EmployeeRepository,
      name: E,
    ): RepositoryEventMap<Employee>[E][] {
      const seen: RepositoryEventMap<Employee>[E][] = [];
      on.on(name, (payload) => seen.push(payload));
      return seen;
    }

    const byId = (rows: Stored[]) => new Map(rows.map((r) => [r.id, r]));
    const sorted = (ids: readonly unknown[] | undefined) =>
      [...(ids ?? [])].map(Number).sort((a, b) => a - b);
    const bumped = (row: Stored) => row.updatedAt.getTime() > PAST.getTime() + 86_400_000;

    it('runs through the dialect of its target: the registered CockroachDB one on postgres-registered', () => {
      expect(adapterFor(db.dataSource) instanceof CockroachAdapter).toBe(
        target === 'postgres-registered',
      );
    });

    describe('bulkUpdate', () => {
      it('changes exactly the matching rows and bumps their version and updatedAt', async () => {
        const ids = await seed([
          person(10),
          person(20),
          person(30),
          person(40),
          person(50, { salary: null }),
        ]);
        await backdate();
        const result = await repo.bulkUpdate({ salary__lt: 250 }, { department: 'low' });
        expect(result).toMatchObject({
          success: true,
          successCount: 2,
          totalRecords: 2,
          errorCount: 0,
          batches: 1,
        });
        const rows = byId(await table());
        for (const [i, id] of ids.entries()) {
          const row = rows.get(id)!;
          const matched = i < 2;
          expect(row.department).toBe(matched ? 'low' : 'eng');
          expect(Number(row.version)).toBe(matched ? 2 : 1);
          expect(bumped(row)).toBe(matched);
        }
      });

      it('runs one UPDATE and counts the rows it changed', async () => {
        await seed([person(1), person(2), person(3)]);
        let result;
        const updates = await statementsOf(async () => {
          result = await repo.bulkUpdate({ salary__in: [10, 30, 999] }, { active: false });
        }, 'UPDATE');
        expect(updates).toHaveLength(1);
        expect(result).toMatchObject({ successCount: 2, batches: 1 });
        expect((await table()).map((r) => r.active)).toEqual([false, true, false]);
      });

      it("skips soft-deleted rows and other tenants' rows", async () => {
        const ids = await seed([
          person(1, { tenantId: 'acme' }),
          person(2, { tenantId: 'acme' }),
          person(3, { tenantId: 'acme' }),
          person(4, { tenantId: 'globex' }),
        ]);
        await softDelete(ids[1]!);
        const deletedVersion = Number((await table())[1]!.version);
        const scoped = new EmployeeRepository(db.dataSource, {
          tenant: { column: 'tenantId', resolve: () => 'acme' },
        });
        const result = await scoped.bulkUpdate({ salary__gte: 0 }, { department: 'moved' });
        expect(result.successCount).toBe(2);
        const rows = await table();
        expect(rows.map((r) => r.department)).toEqual(['moved', 'eng', 'moved', 'eng']);
        expect(rows.map((r) => Number(r.version))).toEqual([2, deletedVersion, 2, 1]);
        expect(rows.map((r) => r.tenantId)).toEqual(['acme', 'acme', 'acme', 'globex']);
      });

      it('with batchSize updates in key pages and reaches the same end state', async () => {
        const ids = await seed([1, 2, 3, 4, 5, 6, 7].map((i) => person(i)));
        await backdate();
        let result;
        // The update moves rows out of the filter: the key walk must neither stop early nor repeat.
        const updates = await statementsOf(async () => {
          result = await repo.bulkUpdate({ salary__lt: 55 }, { salary: 1000 }, { batchSize: 2 });
        }, 'UPDATE');
        expect(result).toMatchObject({ successCount: 5, totalRecords: 5, batches: 3 });
        expect(updates).toHaveLength(3);
        const rows = byId(await table());
        for (const [i, id] of ids.entries()) {
          const row = rows.get(id)!;
          expect(row.salary).toBe(i < 5 ? 1000 : (i + 1) * 10);
          expect(Number(row.version)).toBe(i < 5 ? 2 : 1);
          expect(bumped(row)).toBe(i < 5);
        }
      });

      it('with batchSize stops on an empty page without another UPDATE', async () => {
        await seed([1, 2, 3, 4].map((i) => person(i)));
        let result;
        const updates = await statementsOf(async () => {
          result = await repo.bulkUpdate(
            {},
            { department: 'all' },
            { batchSize: 2, allowAll: true },
          );
        }, 'UPDATE');
        expect(result).toMatchObject({ successCount: 4, batches: 2 });
        expect(updates).toHaveLength(2);
        expect((await table()).every((r) => r.department === 'all')).toBe(true);
      });

      it('throws ValidationError for invalid data and runs no SQL', async () => {
        await seed([person(1)]);
        db.queries.reset();
        const error = await repo.bulkUpdate({ salary__lt: 100 }, { salary: -1 }).catch((e) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error.code).toBe('VALIDATION_FAILED');
        await expect(
          repo.bulkUpdate({ salary__gte: 0 }, { version: 7 } as never),
        ).rejects.toBeInstanceOf(ValidationError);
        expect(db.queries.count).toBe(0);
        expect((await table())[0]!.salary).toBe(10);
      });

      it('throws FilterError for a bad filter and ConfigurationError for a bad batchSize, before SQL', async () => {
        db.queries.reset();
        const error = await repo
          .bulkUpdate({ nope__lt: 1 } as never, { name: 'x' })
          .catch((e) => e);
        expect(error).toBeInstanceOf(FilterError);
        expect(error).toMatchObject({ code: 'FILTER_UNKNOWN_FIELD', key: 'nope__lt' });
        await expect(
          repo.bulkUpdate({ salary: 1 }, { name: 'x' }, { batchSize: 0 }),
        ).rejects.toBeInstanceOf(ConfigurationError);
        expect(db.queries.count).toBe(0);
      });
      it('bulkUpdate with an undefined filter value updates nothing and throws FILTER_UNDEFINED_VALUE', async () => {
        await seed([person(1), person(2)]);
        const before = await table();
        db.queries.reset();
        const filters = [
          { id: undefined },
          { $or: [{ id: undefined }] },
          { $not: { salary__gt: undefined } },
          { id__in: [undefined] },
        ];
        for (const filter of filters) {
          const error = await repo.bulkUpdate(filter as never, { name: 'x' }).catch((e) => e);
          expect(error).toBeInstanceOf(FilterError);
          expect(error.code).toBe('FILTER_UNDEFINED_VALUE');
        }
        expect(db.queries.count).toBe(0);
        expect(await table()).toEqual(before);
      });

      it('bulkUpdate with an empty, null or non-object filter updates nothing unless allowAll', async () => {
        await seed([person(1), person(2)]);
        const before = await table();
        db.queries.reset();
        for (const empty of [{}, { $and: [] }]) {
          const error = await repo.bulkUpdate(empty as never, { name: 'x' }).catch((e) => e);
          expect(error).toMatchObject({ code: 'FILTER_EMPTY', key: '$filters' });
        }
        for (const bad of [null, undefined, 'x', 1, []]) {
          const error = await repo.bulkUpdate(bad as never, { name: 'x' }).catch((e) => e);
          expect(error).toMatchObject({ code: 'FILTER_INVALID_VALUE', key: '$filters' });
        }
        await expect(
          repo.bulkUpdate({}, { name: 'x' }, { allowAll: 'yes' as never }),
        ).rejects.toBeInstanceOf(ConfigurationError);
        expect(db.queries.count).toBe(0);
        expect(await table()).toEqual(before);
        const result = await repo.bulkUpdate({}, { name: 'x' }, { allowAll: true });
        expect(result.successCount).toBe(2);
        expect((await table()).map((r) => r.name)).toEqual(['x', 'x']);
      });
    });

    describe('bulkDelete', () => {
      it('soft-deletes by default: deletedAt is set and the rows become invisible', async () => {
        const ids = await seed([
          person(1, { department: 'eng' }),
          person(2, { department: 'ops' }),
          person(3, { department: 'eng' }),
        ]);
        const result = await repo.bulkDelete({ department: 'eng' });
        expect(result).toMatchObject({
          success: true,
          successCount: 2,
          totalRecords: 2,
          batches: 1,
        });
        const rows = byId(await table());
        expect(rows.size).toBe(3);
        expect(rows.get(ids[0]!)!.deletedAt).toBeInstanceOf(Date);
        expect(rows.get(ids[1]!)!.deletedAt).toBeNull();
        expect(rows.get(ids[2]!)!.deletedAt).toBeInstanceOf(Date);
        expect(Number(rows.get(ids[0]!)!.version)).toBe(2);
        expect((await repo.list()).map((e) => e.id)).toEqual([ids[1]]);
        // Already deleted rows are not deleted again.
        expect((await repo.bulkDelete({ department: 'eng' })).successCount).toBe(0);
      });

      it('hard-deletes with soft: false', async () => {
        const ids = await seed([person(1), person(2, { department: 'ops' }), person(3)]);
        let result;
        const deletes = await statementsOf(async () => {
          result = await repo.bulkDelete({ department: 'eng' }, { soft: false });
        }, 'DELETE');
        expect(deletes).toHaveLength(1);
        expect(result).toMatchObject({ successCount: 2, batches: 1 });
        expect((await table()).map((r) => r.id)).toEqual([ids[1]]);
      });

      it('hard-deletes in key pages with batchSize', async () => {
        await seed([1, 2, 3, 4, 5].map((i) => person(i)));
        let result;
        const deletes = await statementsOf(async () => {
          result = await repo.bulkDelete({ salary__gte: 0 }, { soft: false, batchSize: 2 });
        }, 'DELETE');
        expect(result).toMatchObject({ successCount: 5, batches: 3 });
        expect(deletes).toHaveLength(3);
        expect(await table()).toEqual([]);
      });

      it("leaves other tenants' rows alone", async () => {
        await seed([person(1, { tenantId: 'acme' }), person(2, { tenantId: 'globex' })]);
        const scoped = new EmployeeRepository(db.dataSource, {
          tenant: { column: 'tenantId', resolve: () => 'globex' },
        });
        const result = await scoped.bulkDelete({ department: 'eng' }, { soft: false });
        expect(result.successCount).toBe(1);
        expect((await table()).map((r) => r.tenantId)).toEqual(['acme']);
      });

      it('refuses an empty filter with FILTER_EMPTY unless allowAll', async () => {
        await seed([person(1), person(2)]);
        db.queries.reset();
        for (const empty of [{}, { $and: [] }]) {
          const error = await repo.bulkDelete(empty as never).catch((e) => e);
          expect(error).toBeInstanceOf(FilterError);
          expect(error).toMatchObject({ code: 'FILTER_EMPTY', key: '$filters' });
        }
        for (const bad of [undefined, null, 'x', 1, []]) {
          const error = await repo.bulkDelete(bad as never).catch((e) => e);
          expect(error).toMatchObject({ code: 'FILTER_INVALID_VALUE', key: '$filters' });
        }
        const undef = await repo.bulkDelete({ id: undefined } as never).catch((e) => e);
        expect(undef).toMatchObject({ code: 'FILTER_UNDEFINED_VALUE', key: 'id' });
        expect(db.queries.count).toBe(0);
        expect((await table()).every((r) => r.deletedAt === null)).toBe(true);
        const result = await repo.bulkDelete({}, { allowAll: true, soft: false });
        expect(result.successCount).toBe(2);
        expect(await table()).toEqual([]);
      });

      it('refuses a soft delete of an entity without @DeleteDateColumn', async () => {
        const items = new ItemRepository(db.dataSource);
        db.queries.reset();
        await expect(items.bulkDelete({ qty: 1 }, { soft: true })).rejects.toBeInstanceOf(
          ConfigurationError,
        );
        expect(db.queries.count).toBe(0);
      });
    });

    describe('bulkUpdateByIds', () => {
      it('sets different values per row in one CASE statement', async () => {
        const [a, b, c, d] = await seed([person(1), person(2), person(3), person(4)]);
        await backdate();
        let result;
        const updates = await statementsOf(async () => {
          result = await repo.bulkUpdateByIds([
            { id: a!, salary: 111 },
            { id: b!, name: 'Bobby' },
            { id: c!, salary: 333, department: 'ops' },
          ]);
        }, 'UPDATE');
        expect(result).toMatchObject({
          success: true,
          successCount: 3,
          totalRecords: 3,
          batches: 1,
          createdIds: [],
        });
        expect(updates).toHaveLength(1);
        expect(updates[0]).toMatch(/CASE/);
        const rows = byId(await table());
        expect(rows.get(a!)).toMatchObject({ salary: 111, name: 'Person 1', department: 'eng' });
        expect(rows.get(b!)).toMatchObject({ salary: 20, name: 'Bobby', department: 'eng' });
        expect(rows.get(c!)).toMatchObject({ salary: 333, name: 'Person 3', department: 'ops' });
        expect(rows.get(d!)).toMatchObject({ salary: 40, name: 'Person 4', department: 'eng' });
        for (const id of [a!, b!, c!]) {
          expect(Number(rows.get(id)!.version)).toBe(2);
          expect(bumped(rows.get(id)!)).toBe(true);
        }
        expect(Number(rows.get(d!)!.version)).toBe(1);
        expect(bumped(rows.get(d!)!)).toBe(false);
      });

      it('isolates a row the database refuses: the others are written, it is reported by index', async () => {
        const ids = await seed(Array.from({ length: 8 }, (_, i) => person(i + 1)));
        const changes = ids.map((id, i) => ({ id, salary: 1000 + i }));
        changes[5] = { ...changes[5]!, email: 'p1@example.com' } as (typeof changes)[number]; // taken
        const inTransaction = async () => {
          let result: Awaited<ReturnType<typeof repo.bulkUpdateByIds>> | undefined;
          await db.dataSource.transaction(async (manager) => {
            result = await repo.withManager(manager).bulkUpdateByIds(changes);
          });
          return result!;
        };
        for (const run of [() => repo.bulkUpdateByIds(changes), inTransaction]) {
          await db.dataSource.query('UPDATE employees SET salary = 0');
          const updates = await statementsOf(async () => {
            const result = await run();
            expect(result).toMatchObject({ success: false, successCount: 7, errorCount: 1 });
            expect(result.errors).toEqual([
              expect.objectContaining({ index: 5, code: 'UNIQUE_VIOLATION' }),
            ]);
          }, 'UPDATE');
          expect(updates.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(8)));
          const rows = byId(await table());
          ids.forEach((id, i) => {
            expect(rows.get(id)!.salary).toBe(i === 5 ? 0 : 1000 + i);
            expect(rows.get(id)!.email).toBe(`p${i + 1}@example.com`);
          });
        }
      });

      it('reports a stale version as OPTIMISTIC_LOCK_CONFLICT and leaves that row unchanged', async () => {
        const [a, b, c] = await seed([person(1), person(2), person(3)]);
        await repo.update(b!, { salary: 21 }); // b is now at version 2
        const result = await repo.bulkUpdateByIds([
          { id: a!, version: 1, salary: 100 },
          { id: b!, version: 1, salary: 200 },
          { id: c!, salary: 300 },
        ]);
        expect(result).toMatchObject({ success: false, successCount: 2, errorCount: 1 });
        expect(result.errors).toEqual([
          {
            index: 1,
            code: 'OPTIMISTIC_LOCK_CONFLICT',
            message: expect.stringMatching(/version 1.*2/),
          },
        ]);
        const rows = byId(await table());
        expect(rows.get(a!)).toMatchObject({ salary: 100 });
        expect(Number(rows.get(a!)!.version)).toBe(2);
        expect(rows.get(b!)).toMatchObject({ salary: 21 });
        expect(Number(rows.get(b!)!.version)).toBe(2);
        expect(rows.get(c!)).toMatchObject({ salary: 300 });
      });

      it("reports missing, soft-deleted and other tenants' ids as NOT_FOUND", async () => {
        const [a, b, c] = await seed([
          person(1, { tenantId: 'acme' }),
          person(2, { tenantId: 'acme' }),
          person(3, { tenantId: 'globex' }),
        ]);
        await softDelete(b!);
        const scoped = new EmployeeRepository(db.dataSource, {
          tenant: { column: 'tenantId', resolve: () => 'acme' },
        });
        const result = await scoped.bulkUpdateByIds([
          { id: 987_654, salary: 1 },
          { id: a!, salary: 2 },
          { id: b!, salary: 3 },
          { id: c!, salary: 4, version: 1 },
        ]);
        expect(result.successCount).toBe(1);
        expect(result.errors.map((e) => [e.index, e.code])).toEqual([
          [0, 'NOT_FOUND'],
          [2, 'NOT_FOUND'],
          [3, 'NOT_FOUND'],
        ]);
        const rows = await table();
        expect(rows.map((r) => r.salary)).toEqual([2, 20, 30]);
        expect(rows.map((r) => r.tenantId)).toEqual(['acme', 'acme', 'globex']);
      });

      it('reports invalid rows and duplicate ids by index and stores the others', async () => {
        const [a, b, c] = await seed([person(1), person(2), person(3)]);
        const result = await repo.bulkUpdateByIds([
          { id: a!, salary: -1 },
          { id: b!, salary: 7 },
          { id: c!, nope: true } as never,
          { id: b!, salary: 8 },
          { id: 'x' as never, salary: 9 },
          { salary: 10 } as never,
          { id: c!, version: -2, salary: 11 },
        ]);
        expect(result.successCount).toBe(1);
        expect(result.errors.map((e) => [e.index, e.code])).toEqual([
          [0, 'VALIDATION_FAILED'],
          [2, 'VALIDATION_FAILED'],
          [3, 'DUPLICATE_ID'],
          [4, 'VALIDATION_FAILED'],
          [5, 'VALIDATION_FAILED'],
          [6, 'VALIDATION_FAILED'],
        ]);
        expect((await table()).map((r) => r.salary)).toEqual([10, 7, 30]);
      });

      it('runs one statement per chunk with batchSize', async () => {
        const ids = await seed([1, 2, 3, 4, 5].map((i) => person(i)));
        let result;
        const updates = await statementsOf(async () => {
          result = await repo.bulkUpdateByIds(
            ids.map((id, i) => ({ id, salary: 500 + i, ...(i === 3 ? { version: 9 } : {}) })),
            { batchSize: 2 },
          );
        }, 'UPDATE');
        expect(result).toMatchObject({ successCount: 4, batches: 3 });
        expect(updates).toHaveLength(3);
        expect((result as unknown as { errors: unknown[] }).errors).toEqual([
          expect.objectContaining({ index: 3, code: 'OPTIMISTIC_LOCK_CONFLICT' }),
        ]);
        expect((await table()).map((r) => r.salary)).toEqual([500, 501, 502, 40, 504]);
      });

      it('refuses expected versions on an entity without @VersionColumn', async () => {
        const items = new ItemRepository(db.dataSource);
        db.queries.reset();
        await expect(
          items.bulkUpdateByIds([{ id: 1, version: 1 }], { validate: false }),
        ).rejects.toBeInstanceOf(ConfigurationError);
        expect(db.queries.count).toBe(0);
      });
    });

    describe('inside a transaction', () => {
      it('joins it: a rollback undoes every bulk write, key pages included', async () => {
        const [a, b] = await seed([person(1), person(2), person(3)]);
        const outcome = await db.dataSource
          .transaction(async (manager) => {
            const tx = repo.withManager(manager);
            await tx.bulkUpdate({ salary__lt: 25 }, { department: 'tx' }, { batchSize: 1 });
            await tx.bulkUpdateByIds([
              { id: a!, salary: 5 },
              { id: b!, salary: 6, version: 2 },
            ]);
            await tx.bulkDelete({ salary__gte: 30 }, { soft: false, emitEvents: 'perRow' });
            const inside = await manager.getRepository(Employee).find({ order: { id: 'ASC' } });
            expect(inside.map((r) => [r.department, r.salary])).toEqual([
              ['tx', 5],
              ['tx', 6],
            ]);
            throw new Error('roll back');
          })
          .catch((error: Error) => error.message);
        expect(outcome).toBe('roll back');
        const rows = await table();
        expect(rows.map((r) => [r.department, r.salary, Number(r.version)])).toEqual([
          ['eng', 10, 1],
          ['eng', 20, 1],
          ['eng', 30, 1],
        ]);
      });
    });

    describe('events', () => {
      it('bulkUpdate fires one bulkUpdated with the count, and the ids where they come cheaply', async () => {
        const ids = await seed([person(1), person(2), person(3)]);
        const seen = listen(repo, 'bulkUpdated');
        const perRow = listen(repo, 'updated');
        await repo.bulkUpdate({ salary__lte: 20 }, { active: false });
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatchObject({ entity: 'Employee', count: 2 });
        // Without RETURNING and without batchSize the ids would cost a read: they are left out.
        if (adapterFor(db.dataSource).capabilities.returning.update) {
          expect(sorted(seen[0]!.ids)).toEqual(ids.slice(0, 2));
        } else {
          expect(seen[0]!.ids).toBeUndefined();
        }
        await repo.bulkUpdate({ salary__gte: 20 }, { active: true }, { batchSize: 1 });
        expect(seen).toHaveLength(2);
        expect(seen[1]).toMatchObject({ count: 2 });
        expect(sorted(seen[1]!.ids)).toEqual(ids.slice(1));
        expect(perRow).toEqual([]);
      });

      it("bulkUpdate with 'perRow' fires updated per row with the stored record", async () => {
        const ids = await seed([person(1), person(2), person(3)]);
        const bulk = listen(repo, 'bulkUpdated');
        const seen = listen(repo, 'updated');
        await repo.bulkUpdate({ salary__gte: 20 }, { name: 'Renamed' }, { emitEvents: 'perRow' });
        expect(bulk).toEqual([]);
        expect(sorted(seen.map((e) => e.id))).toEqual(ids.slice(1));
        for (const event of seen) {
          expect(event.record).toBeInstanceOf(Employee);
          expect(event.record).toMatchObject({ id: event.id, name: 'Renamed', version: 2 });
        }
      });

      it('emitEvents: false fires nothing', async () => {
        const [a] = await seed([person(1), person(2)]);
        const listener = jest.fn();
        for (const name of ['bulkUpdated', 'bulkDeleted', 'updated', 'deleted'] as const) {
          repo.on(name, listener);
        }
        await repo.bulkUpdate({}, { active: false }, { emitEvents: false, allowAll: true });
        await repo.bulkUpdateByIds([{ id: a!, salary: 1 }], { emitEvents: false });
        await repo.bulkDelete({ salary__gte: 0 }, { emitEvents: false });
        expect(listener).not.toHaveBeenCalled();
        expect((await table()).every((r) => r.deletedAt !== null)).toBe(true);
      });

      it('bulkDelete fires one bulkDeleted, or deleted per row with perRow', async () => {
        const ids = await seed([1, 2, 3, 4].map((i) => person(i)));
        const bulk = listen(repo, 'bulkDeleted');
        const perRow = listen(repo, 'deleted');
        await repo.bulkDelete({ salary__lte: 20 }, { batchSize: 5 });
        expect(bulk).toHaveLength(1);
        expect(bulk[0]).toMatchObject({ entity: 'Employee', count: 2, soft: true });
        expect(sorted(bulk[0]!.ids)).toEqual(ids.slice(0, 2));
        await repo.bulkDelete({ salary__gte: 30 }, { soft: false, emitEvents: 'perRow' });
        expect(bulk).toHaveLength(1);
        expect(sorted(perRow.map((e) => e.id))).toEqual(ids.slice(2));
        expect(perRow.map((e) => e.soft)).toEqual([false, false]);
      });

      it('bulkUpdateByIds fires one bulkUpdated with the updated ids, or updated per row', async () => {
        const [a, b, c] = await seed([person(1), person(2), person(3)]);
        const bulk = listen(repo, 'bulkUpdated');
        const perRow = listen(repo, 'updated');
        await repo.bulkUpdateByIds([
          { id: a!, salary: 1 },
          { id: 424_242, salary: 2 },
          { id: c!, salary: 3 },
        ]);
        expect(bulk).toEqual([expect.objectContaining({ entity: 'Employee', count: 2 })]);
        expect(bulk[0]!.ids).toEqual([a, c]);
        await repo.bulkUpdateByIds(
          [
            { id: b!, salary: 4 },
            { id: c!, salary: 5, version: 1 },
          ],
          { emitEvents: 'perRow' },
        );
        expect(bulk).toHaveLength(1);
        expect(perRow).toHaveLength(1);
        expect(perRow[0]).toMatchObject({ id: b, record: { id: b, salary: 4, version: 2 } });
        expect(perRow[0]!.record).toBeInstanceOf(Employee);
      });
    });
  },
);
