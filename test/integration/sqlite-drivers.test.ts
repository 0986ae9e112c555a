import { ConflictError, ConstraintViolationError } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository, storedEmployees } from '../support/employee';
import { DIALECTS, SQLITE_DRIVER } from '../support/servers';

// The SQLite target through whichever driver runs it: better-sqlite3, or node-sqlite3 (TypeORM
// 0.3's `type: 'sqlite'`) in the TypeORM 0.3 matrix. Each case is a bug node-sqlite3 had (issue
// 14): its runner returns no rows for an INSERT, and its errors carry no extended code.
const targets = DIALECTS.includes('sqlite') ? ['sqlite' as const] : [];

describe.each(targets)(`SQLite through ${SQLITE_DRIVER}`, (target) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;

  beforeAll(async () => {
    db = await openDataSource(target, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    // AUTOINCREMENT starts again: the bigint case stores an id past 2^53.
    await db.dataSource.query('DELETE FROM sqlite_sequence');
    repo = new EmployeeRepository(db.dataSource);
    db.queries.reset();
  });

  const person = (i: number) => ({ name: `Zoë ${i}`, email: `z${i}@example.com`, salary: i });

  it('runs on the driver the matrix names', () => {
    const type = SQLITE_DRIVER === 'sqlite3' ? 'sqlite' : 'better-sqlite3';
    expect(db.dataSource.options.type).toBe(type);
    expect(adapterFor(db.dataSource).capabilities.returning.insert).toBe(type !== 'sqlite');
  });

  it('create() returns the stored row with its id (it wrote the row, then threw FILTER_INVALID_VALUE)', async () => {
    await repo.create(person(0));
    const created = await repo.create(person(1));
    const [, stored] = await storedEmployees(db.dataSource);
    expect(created).toMatchObject({ id: stored!.id, name: 'Zoë 1', version: 1 });
    expect(typeof created.id).toBe('number');
    expect((await storedEmployees(db.dataSource)).map((e) => e.email)).toEqual([
      'z0@example.com',
      'z1@example.com',
    ]);
  });

  it("bulkCreate returns each row's real id in input order", async () => {
    await repo.create(person(99));
    await db.dataSource.query('DELETE FROM employees');
    const result = await repo.bulkCreate([0, 1, 2, 3, 4].map(person), { returnIds: true });
    const stored = await storedEmployees(db.dataSource);
    expect(result).toMatchObject({ successCount: 5, errorCount: 0 });
    expect(result.createdIds).toEqual(stored.map((e) => e.id));
    expect(stored.map((e) => e.email)).toEqual([0, 1, 2, 3, 4].map((i) => `z${i}@example.com`));
    // AUTOINCREMENT: above the deleted row's id, never reused.
    expect(Math.min(...(result.createdIds as number[]))).toBeGreaterThan(0);
  });

  it("onConflict: 'skip' counts inserted and skipped rows as stored (it reported 0 inserted, 2 skipped)", async () => {
    await repo.create(person(1));
    const result = await repo.bulkCreate([person(1), person(2), person(3)], {
      onConflict: 'skip',
      conflictTarget: ['email'],
      returnIds: true,
    });
    const stored = await storedEmployees(db.dataSource);
    expect(stored.map((e) => e.email)).toEqual([
      'z1@example.com',
      'z2@example.com',
      'z3@example.com',
    ]);
    expect(result).toMatchObject({
      successCount: 3,
      errorCount: 0,
      insertedCount: 2,
      skippedCount: 1,
      updatedCount: 0,
    });
    expect(result.createdIds).toEqual([stored[1]!.id, stored[2]!.id]);
  });

  it("onConflict: 'update' updates the existing row and inserts the new one", async () => {
    await repo.create(person(1));
    const result = await repo.bulkCreate([{ ...person(1), name: 'Ünïcode' }, person(2)], {
      onConflict: 'update',
      conflictTarget: ['email'],
      updateColumns: ['name'],
    });
    const stored = await storedEmployees(db.dataSource);
    expect(stored.map((e) => [e.email, e.name])).toEqual([
      ['z1@example.com', 'Ünïcode'],
      ['z2@example.com', 'Zoë 2'],
    ]);
    expect(result).toMatchObject({ successCount: 2, insertedCount: 1, updatedCount: 1 });
  });

  it('binds a bigint in a raw query, also one past 2^53 (node-sqlite3 bound it as NULL)', async () => {
    const big = 2n ** 53n + 1n;
    const { id } = await repo.create(person(1));
    await repo.query(
      'INSERT INTO employees (id, name, email, version) VALUES (:id, :name, :email, 1)',
      {
        id: big,
        name: 'Big',
        email: 'big@example.com',
      },
    );
    const select = 'SELECT name, CAST(id AS TEXT) AS id FROM employees WHERE id = :id';
    expect(await repo.query(select, { id: big }, { fetch: 'one' })).toEqual({
      name: 'Big',
      id: big.toString(),
    });
    expect(await repo.query(select, { id: BigInt(id) }, { fetch: 'one' })).toEqual({
      name: 'Zoë 1',
      id: String(id),
    });
  });

  it('icontains folds non-ASCII letters only where the driver can define functions (better-sqlite3)', async () => {
    await repo.bulkCreate([
      { name: 'Zürich', email: 'a@example.com' },
      { name: 'ZÜRICH', email: 'b@example.com' },
      { name: 'ZURICH', email: 'c@example.com' },
    ]);
    const names = async (value: string) =>
      (await repo.list({ filters: { name__icontains: value }, orderBy: 'email' })).map(
        (e) => e.name,
      );
    expect(await names('zurich')).toEqual(['ZURICH']);
    expect(await names('zür')).toEqual(
      SQLITE_DRIVER === 'sqlite3' ? ['Zürich'] : ['Zürich', 'ZÜRICH'],
    );
  });

  it('a unique violation is a ConflictError, a NOT NULL one a ConstraintViolationError (it was a plain DatabaseError)', async () => {
    await repo.create(person(1));
    await expect(repo.create(person(1))).rejects.toBeInstanceOf(ConflictError);
    await expect(
      db.dataSource.transaction((manager) =>
        repo.withManager(manager).query('INSERT INTO employees (name) VALUES (:name)', {
          name: 'no email',
        }),
      ),
    ).rejects.toMatchObject({ code: 'NOT_NULL_VIOLATION' });
    const error = await repo.create(person(1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect(error).not.toBeInstanceOf(ConstraintViolationError);
    expect(await storedEmployees(db.dataSource)).toHaveLength(1);
  });
});
