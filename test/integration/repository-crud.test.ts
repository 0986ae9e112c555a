import {
  adapterFor,
  ConflictError,
  ConstraintViolationError,
  FilterError,
  NotFoundError,
  OptimisticLockError,
  ValidationError,
} from '../../src';
import { CockroachAdapter } from '../../examples/dialects/cockroach-dialect';
import { Assignment, AssignmentRepository } from '../support/assignment';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository, ensureSalaryCheck } from '../support/employee';
import { builtInTarget, SQLITE_DRIVER, TARGETS, withRegistered } from '../support/servers';

describe.each(withRegistered(TARGETS))('BaseRepository CRUD on %s', (target) => {
  const dialect = builtInTarget(target);
  let db: TestDataSource;
  let repo: EmployeeRepository;

  beforeAll(async () => {
    db = await openDataSource(target, [Employee, Assignment]);
    await ensureSalaryCheck(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM assignments');
    await db.dataSource.query('DELETE FROM employees');
    repo = new EmployeeRepository(db.dataSource);
    db.queries.reset();
  });

  /** What the table holds, read with plain SQL rather than through the repository. */
  async function rawRow(id: number): Promise<Record<string, unknown> | undefined> {
    const q = (n: string) => db.dataSource.driver.escape(n);
    const rows: Record<string, unknown>[] = await db.dataSource.query(
      `SELECT * FROM employees WHERE ${q('id')} = ${dialect === 'postgres' ? '$1' : '?'}`,
      [id],
    );
    return rows[0];
  }

  it('runs through the dialect of its target: the registered CockroachDB one on postgres-registered', () => {
    expect(adapterFor(db.dataSource) instanceof CockroachAdapter).toBe(
      target === 'postgres-registered',
    );
  });

  describe('create', () => {
    it('reads the new row back only where INSERT has no RETURNING (MySQL, node-sqlite3)', async () => {
      const statements = await db.queries.during(() =>
        repo.create({ name: 'Ada', email: 'ada@example.com', department: 'eng', salary: 1 }),
      );
      // PostgreSQL, better-sqlite3, and MariaDB as mariadb://; TypeORM's node-sqlite3 runner
      // drops the rows an INSERT returns.
      const returning = dialect === 'sqlite' ? SQLITE_DRIVER !== 'sqlite3' : dialect !== 'mysql';
      expect(statements.filter((q) => /^\s*INSERT/i.test(q))).toHaveLength(1);
      expect(statements.some((q) => /\bRETURNING\b/i.test(q))).toBe(returning);
      expect(statements.filter((q) => /^\s*SELECT/i.test(q))).toHaveLength(returning ? 0 : 1);
      const stored = await rawRow((await repo.findOne({ email: 'ada@example.com' }))!.id);
      expect(stored).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    });

    it('stores the row and returns it with its id, version and timestamps', async () => {
      const created = await repo.create({
        name: 'Ada',
        email: 'ada@example.com',
        department: 'eng',
        salary: 100,
      });
      expect(created).toBeInstanceOf(Employee);
      expect(created.id).toEqual(expect.any(Number));
      expect(created.version).toBe(1);
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(created.active).toBe(true);
      expect(created.deletedAt).toBeNull();
      const row = await rawRow(created.id);
      expect(row).toMatchObject({
        name: 'Ada',
        email: 'ada@example.com',
        department: 'eng',
        salary: 100,
      });
    });

    it('lists every invalid field in one ValidationError and runs no SQL', async () => {
      const error = await repo
        .create({ name: '', email: 'not-an-email', salary: 1.5 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'email',
        'name',
        'salary',
      ]);
      expect(db.queries.count).toBe(0);
    });

    it('rejects unknown properties', async () => {
      const input = { name: 'Bob', email: 'bob@example.com', isAdmin: true } as never;
      const error = await repo.create(input).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.fields).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
      expect(await repo.count()).toBe(0);
    });

    it('translates constraint violations into typed errors on this dialect', async () => {
      await repo.create({ name: 'Ada', email: 'dup@example.com' });
      const dup = await repo.create({ name: 'Eve', email: 'dup@example.com' }).catch((e) => e);
      expect(dup).toBeInstanceOf(ConflictError);
      expect(dup.code).toBe('UNIQUE_VIOLATION');

      const check = await repo
        .create({ name: 'Neg', email: 'neg@example.com', salary: -1 })
        .catch((e) => e);
      expect(check).toBeInstanceOf(ConstraintViolationError);
      expect(check.code).toBe('CHECK_VIOLATION');

      const assignments = new AssignmentRepository(db.dataSource);
      const notNull = await assignments.create({ project: 'x' }).catch((e) => e);
      expect(notNull).toBeInstanceOf(ConstraintViolationError);
      expect(notNull.code).toBe('NOT_NULL_VIOLATION');

      const fk = await assignments.create({ project: 'x', employeeId: 999_999 }).catch((e) => e);
      expect(fk).toBeInstanceOf(ConstraintViolationError);
      expect(fk.code).toBe('FOREIGN_KEY_VIOLATION');

      expect(await repo.count()).toBe(1);
      expect(await assignments.count()).toBe(0);
    });
  });

  describe('reads', () => {
    let ids: number[];
    beforeEach(async () => {
      const people = [
        { name: 'Ada', email: 'a@x.io', department: 'eng', salary: 300 },
        { name: 'Bob', email: 'b@x.io', department: 'ops', salary: 100 },
        { name: 'Cy', email: 'c@x.io', department: 'eng', salary: null },
        { name: 'Di', email: 'd@x.io', department: null, salary: 200 },
      ];
      ids = [];
      for (const p of people) ids.push((await repo.create(p)).id);
    });

    it('findById returns the row or null', async () => {
      expect((await repo.findById(ids[1]!))?.name).toBe('Bob');
      expect(await repo.findById(987_654)).toBeNull();
    });

    it('findOne({ sku: undefined }) throws FILTER_UNDEFINED_VALUE instead of returning the first row', async () => {
      const error = await repo.findOne({ department: undefined } as never).catch((e) => e);
      expect(error).toMatchObject({ code: 'FILTER_UNDEFINED_VALUE', key: 'department' });
      await expect(
        repo.list({ filters: { $or: [{ name: undefined }] } } as never),
      ).rejects.toMatchObject({
        code: 'FILTER_UNDEFINED_VALUE',
      });
      await expect(repo.count({ name__ne: undefined } as never)).rejects.toMatchObject({
        code: 'FILTER_UNDEFINED_VALUE',
      });
    });

    it('findOne returns the first match by primary key', async () => {
      expect((await repo.findOne({ department: 'eng' }))?.name).toBe('Ada');
      expect(await repo.findOne({ department: 'nope' })).toBeNull();
    });

    it('list filters, orders (NULLs smallest on every dialect) and pages', async () => {
      const names = (rows: Employee[]) => rows.map((r) => r.name);
      expect(names(await repo.list({ orderBy: '-salary' }))).toEqual(['Ada', 'Di', 'Bob', 'Cy']);
      expect(names(await repo.list({ orderBy: { salary: 'ASC' } }))).toEqual([
        'Cy',
        'Bob',
        'Di',
        'Ada',
      ]);
      expect(names(await repo.list({ orderBy: ['department', '-name'] }))).toEqual([
        'Di',
        'Cy',
        'Ada',
        'Bob',
      ]);
      expect(names(await repo.list({ filters: { salary__gte: 200 }, orderBy: 'name' }))).toEqual([
        'Ada',
        'Di',
      ]);
      expect(names(await repo.list({ limit: 2, offset: 1 }))).toEqual(['Bob', 'Cy']);
    });

    it('offset without limit skips rows on every dialect (MySQL threw DatabaseError)', async () => {
      const names = (rows: Employee[]) => rows.map((r) => r.name);
      expect(names(await repo.list({ offset: 1, orderBy: 'name' }))).toEqual(['Bob', 'Cy', 'Di']);
      expect(names(await repo.list({ offset: 4 }))).toEqual([]);
    });

    it('count and exists apply filters', async () => {
      expect(await repo.count()).toBe(4);
      expect(await repo.count({ department__in: ['eng', 'ops'] })).toBe(3);
      expect(await repo.exists({ salary__isnull: true })).toBe(true);
      expect(await repo.exists({ salary__gt: 1000 })).toBe(false);
    });

    it('rejects an unknown field before any query runs', async () => {
      db.queries.reset();
      const error = await repo.list({ filters: { nope__lt: 1 } as never }).catch((e) => e);
      expect(error).toBeInstanceOf(FilterError);
      expect(error.code).toBe('FILTER_UNKNOWN_FIELD');
      expect(error.key).toBe('nope__lt');
      expect(db.queries.count).toBe(0);
    });

    it('rejects bad orderBy, limit and offset before any query runs', async () => {
      db.queries.reset();
      await expect(repo.list({ orderBy: '-nope' as never })).rejects.toMatchObject({
        code: 'FILTER_UNKNOWN_FIELD',
      });
      await expect(repo.list({ limit: -1 })).rejects.toMatchObject({
        code: 'FILTER_INVALID_VALUE',
        key: 'limit',
      });
      await expect(repo.list({ offset: 1.5 })).rejects.toMatchObject({
        code: 'FILTER_INVALID_VALUE',
        key: 'offset',
      });
      expect(db.queries.count).toBe(0);
    });
  });

  describe('update', () => {
    it('changes the row and bumps version and updatedAt', async () => {
      const created = await repo.create({ name: 'Ada', email: 'ada@x.io', salary: 100 });
      // Move updatedAt into the past so that the bump is visible at any clock resolution.
      const past = new Date('2001-01-01T00:00:00Z');
      await db.dataSource
        .createQueryBuilder()
        .update(Employee)
        .set({ updatedAt: () => ':past' })
        .setParameters({
          past: db.dataSource.driver.preparePersistentValue(
            past,
            db.dataSource.getMetadata(Employee).updateDateColumn!,
          ),
        })
        .where('id = :id', { id: created.id })
        .updateEntity(false)
        .execute();
      const before = (await rawRow(created.id))!;
      const updated = await repo.update(created.id, { salary: 150, department: 'eng' });
      expect(updated).toMatchObject({
        id: created.id,
        salary: 150,
        department: 'eng',
        name: 'Ada',
        version: Number(before.version) + 1,
      });
      expect(updated.updatedAt.getTime()).toBeGreaterThan(
        new Date('2001-01-02T00:00:00Z').getTime(),
      );
      const row = (await rawRow(created.id))!;
      expect(row).toMatchObject({ salary: 150, department: 'eng' });
      expect(Number(row.version)).toBe(Number(before.version) + 1);
    });

    it('validates the Update DTO and refuses managed columns', async () => {
      const created = await repo.create({ name: 'Ada', email: 'ada@x.io' });
      db.queries.reset();
      await expect(repo.update(created.id, { salary: -5 })).rejects.toBeInstanceOf(ValidationError);
      await expect(repo.update(created.id, { version: 9 } as never)).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(db.queries.count).toBe(0);
    });

    it('throws NotFoundError for a missing row', async () => {
      await expect(repo.update(424_242, { name: 'X' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('with a stale expectedVersion throws OptimisticLockError and changes nothing', async () => {
      const created = await repo.create({ name: 'Ada', email: 'ada@x.io', salary: 1 });
      await repo.update(created.id, { salary: 2 }, { expectedVersion: 1 });
      const error = await repo
        .update(created.id, { salary: 3 }, { expectedVersion: 1 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(OptimisticLockError);
      expect(error).toMatchObject({
        expectedVersion: 1,
        actualVersion: 2,
        id: created.id,
        entity: 'Employee',
      });
      const row = (await rawRow(created.id))!;
      expect(row.salary).toBe(2);
      expect(Number(row.version)).toBe(2);
    });
  });

  describe('delete and restore', () => {
    it('soft-deletes by default: the row stays but every read, update and delete skips it', async () => {
      const a = await repo.create({ name: 'Ada', email: 'ada@x.io' });
      await repo.delete(a.id);
      const row = (await rawRow(a.id))!;
      expect(row.deletedAt ?? row.deleted_at).not.toBeNull();
      expect(await repo.findById(a.id)).toBeNull();
      expect(await repo.list()).toEqual([]);
      expect(await repo.count()).toBe(0);
      expect(await repo.exists({ name: 'Ada' })).toBe(false);
      await expect(repo.update(a.id, { name: 'X' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(repo.delete(a.id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await repo.findById(a.id, { withDeleted: true }))?.name).toBe('Ada');
      expect(await repo.list({ withDeleted: true })).toHaveLength(1);
      expect((await rawRow(a.id))!.name).toBe('Ada');
    });

    it('restore brings a soft-deleted row back', async () => {
      const a = await repo.create({ name: 'Ada', email: 'ada@x.io' });
      await repo.delete(a.id);
      const restored = await repo.restore(a.id);
      expect(restored.deletedAt).toBeNull();
      expect(await repo.findById(a.id)).not.toBeNull();
      await expect(repo.restore(777_777)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('hard-deletes with { soft: false }, and purges soft-deleted rows with withDeleted', async () => {
      const a = await repo.create({ name: 'Ada', email: 'ada@x.io' });
      const b = await repo.create({ name: 'Bob', email: 'bob@x.io' });
      await repo.delete(a.id, { soft: false });
      expect(await rawRow(a.id)).toBeUndefined();
      await repo.delete(b.id);
      await expect(repo.delete(b.id, { soft: false })).rejects.toBeInstanceOf(NotFoundError);
      await repo.delete(b.id, { soft: false, withDeleted: true });
      expect(await rawRow(b.id)).toBeUndefined();
    });

    it('deletes hard by default when softDelete is false', async () => {
      const hard = new EmployeeRepository(db.dataSource, { softDelete: false });
      const a = await hard.create({ name: 'Ada', email: 'ada@x.io' });
      await hard.delete(a.id);
      expect(await rawRow(a.id)).toBeUndefined();
    });
  });

  describe('events', () => {
    it('fires created, updated, deleted and restored with their payloads', async () => {
      const seen: string[] = [];
      repo.on('created', (e) => seen.push(`created:${e.record.name}`));
      repo.on('updated', (e) => seen.push(`updated:${e.record.salary}`));
      repo.on('deleted', (e) => seen.push(`deleted:${e.soft}`));
      repo.on('restored', (e) => seen.push(`restored:${e.id === e.record.id}`));
      const a = await repo.create({ name: 'Ada', email: 'ada@x.io' });
      await repo.update(a.id, { salary: 5 });
      await repo.delete(a.id);
      await repo.restore(a.id);
      await repo.update(a.id, { name: '' }).catch(() => undefined); // failed writes fire nothing
      expect(seen).toEqual(['created:Ada', 'updated:5', 'deleted:true', 'restored:true']);
    });

    it('fires nothing with events: false', async () => {
      const quiet = new EmployeeRepository(db.dataSource, { events: false });
      const listener = jest.fn();
      quiet.on('created', listener);
      await quiet.create({ name: 'Ada', email: 'ada@x.io' });
      expect(listener).not.toHaveBeenCalled();
    });
  });
});
