import { ConflictError, LruCacheStore, QueryError } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS, itWhere } from '../support/servers';

describe.each(DIALECTS)('repo.query() on %s', (dialect) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;
  let ada: Employee;
  let bob: Employee;
  let eve: Employee;

  /** A column name quoted for this dialect (the entity's columns are camelCase). */
  const q = (name: string) => db.dataSource.driver.escape(name);
  /** What the table holds, read with TypeORM's own connection rather than through query(). */
  const stored = (sql: string): Promise<Record<string, unknown>[]> => db.dataSource.query(sql);
  const salaries = async () =>
    (await stored('SELECT salary FROM employees ORDER BY id')).map((r) => Number(r.salary));

  async function refusal(call: Promise<unknown>): Promise<QueryError> {
    const error: unknown = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error instanceof QueryError) return error;
    throw new Error(`expected a QueryError, got ${String(error)}`);
  }

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    repo = new EmployeeRepository(db.dataSource);
    ada = await repo.create({ name: 'Ada', email: 'ada@x.io', department: 'eng', salary: 100 });
    bob = await repo.create({ name: 'Bob', email: 'bob@x.io', department: 'eng', salary: 200 });
    eve = await repo.create({ name: 'Eve', email: 'eve@x.io', department: 'ops', salary: 300 });
    db.queries.reset();
  });

  describe('named parameters', () => {
    it("binds a name used twice and sends the dialect's positional placeholders", async () => {
      const rows = await repo.query<{ name: string }>(
        'SELECT name FROM employees WHERE department = :dept AND salary >= :min AND name <> :dept ORDER BY name',
        { dept: 'eng', min: 150 },
      );
      expect(rows.map((r) => r.name)).toEqual(['Bob']);
      const placeholders = dialect === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
      expect(db.queries.queries).toEqual([
        `SELECT name FROM employees WHERE department = ${placeholders[0]} AND salary >= ${placeholders[1]} AND name <> ${placeholders[2]} ORDER BY name`,
      ]);
    });

    it('leaves :names inside literals and comments alone', async () => {
      const row = await repo.query<{ s: string; name: string }>(
        "SELECT ':name' AS s, name FROM employees WHERE id = :id -- :ignored",
        { id: ada.id },
        { fetch: 'one' },
      );
      expect(row).toEqual({ s: ':name', name: 'Ada' });
    });

    it('names a missing or unused parameter before any SQL runs', async () => {
      const missing = await refusal(repo.query('DELETE FROM employees WHERE id = :id', {}));
      expect(missing).toMatchObject({ code: 'QUERY_PARAMETER_MISSING', subject: 'id' });
      const unused = await refusal(
        repo.query('DELETE FROM employees WHERE id = :id', { id: ada.id, idd: 1 }),
      );
      expect(unused).toMatchObject({ code: 'QUERY_PARAMETER_UNUSED', subject: 'idd' });
      expect(db.queries.count).toBe(0);
      expect(await salaries()).toEqual([100, 200, 300]);
    });

    it('binds a bigint', async () => {
      const row = await repo.query<{ name: string }>(
        'SELECT name FROM employees WHERE id = :id',
        { id: BigInt(bob.id) },
        { fetch: 'one' },
      );
      expect(row?.name).toBe('Bob');
    });
  });

  describe('arrays', () => {
    it('expands IN (:ids), and an empty list matches nothing (NOT IN: everything)', async () => {
      const names = async (sql: string, ids: number[]) =>
        (await repo.query<{ name: string }>(sql, { ids })).map((r) => r.name);
      const inList = 'SELECT name FROM employees WHERE id IN (:ids) ORDER BY id';
      const notInList = 'SELECT name FROM employees WHERE id NOT IN (:ids) ORDER BY id';
      expect(await names(inList, [ada.id, eve.id])).toEqual(['Ada', 'Eve']);
      expect(await names(inList, [])).toEqual([]);
      expect(await names(notInList, [bob.id])).toEqual(['Ada', 'Eve']);
      expect(await names(notInList, [])).toEqual(['Ada', 'Bob', 'Eve']);
    });

    it('an UPDATE … WHERE id IN (:ids) with an empty list changes nothing', async () => {
      const sql = 'UPDATE employees SET salary = 0 WHERE id IN (:ids)';
      expect(await repo.query(sql, { ids: [] }, { fetch: 'none' })).toBe(0);
      expect(await salaries()).toEqual([100, 200, 300]);
      expect(await repo.query(sql, { ids: [ada.id, eve.id] }, { fetch: 'none' })).toBe(2);
      expect(await salaries()).toEqual([0, 200, 0]);
    });

    itWhere(dialect === 'postgres')('binds = ANY(:ids) as a PostgreSQL array', async () => {
      const rows = await repo.query<{ name: string }>(
        'SELECT name FROM employees WHERE id = ANY(:ids) ORDER BY id',
        { ids: [bob.id, eve.id] },
      );
      expect(rows.map((r) => r.name)).toEqual(['Bob', 'Eve']);
      expect(db.queries.queries).toEqual([
        'SELECT name FROM employees WHERE id = ANY($1) ORDER BY id',
      ]);
      const none = await repo.query('SELECT name FROM employees WHERE id = ANY(:ids)', { ids: [] });
      expect(none).toEqual([]);
    });
  });

  describe('values', () => {
    it('binds an object as JSON text the database can read as JSON', async () => {
      const doc = { team: 'core', tags: ['x', 'y'] };
      await repo.query('UPDATE employees SET name = :doc WHERE id = :id', { doc, id: ada.id });
      expect((await repo.findById(ada.id))?.name).toBe('{"team":"core","tags":["x","y"]}');
      const extract = {
        postgres: "SELECT (:doc::jsonb)->'tags'->>1 AS v",
        mysql: "SELECT JSON_UNQUOTE(JSON_EXTRACT(:doc, '$.tags[1]')) AS v",
        sqlite: "SELECT json_extract(:doc, '$.tags[1]') AS v",
      }[dialect];
      expect(await repo.query(extract, { doc }, { fetch: 'one' })).toEqual({ v: 'y' });
    });

    it('binds a Date the way the repository stores it: it round-trips and compares', async () => {
      const at = new Date('2024-05-01T12:34:56.789Z');
      await repo.query(`UPDATE employees SET ${q('deletedAt')} = :at WHERE id = :id`, {
        at,
        id: bob.id,
      });
      const row = await repo.findById(bob.id, { withDeleted: true });
      expect(row?.deletedAt?.toISOString()).toBe(at.toISOString());
      const found = await repo.query<{ id: number }>(
        `SELECT id FROM employees WHERE ${q('deletedAt')} = :at`,
        { at },
      );
      expect(found.map((r) => Number(r.id))).toEqual([bob.id]);
      // The repository wrote createdAt itself; a minute either side brackets every row.
      const created = ada.createdAt.getTime();
      const count = await repo.query<{ n: unknown }>(
        `SELECT COUNT(*) AS n FROM employees WHERE ${q('createdAt')} > :after`,
        { after: new Date(created - 60_000) },
        { fetch: 'one' },
      );
      expect(Number(count?.n)).toBe(3);
      const none = await repo.query(`SELECT id FROM employees WHERE ${q('createdAt')} > :after`, {
        after: new Date(created + 60_000),
      });
      expect(none).toEqual([]);
    });

    it('binds booleans the way the repository stores them', async () => {
      await repo.query('UPDATE employees SET active = :active WHERE id = :id', {
        active: false,
        id: eve.id,
      });
      expect((await repo.findById(eve.id))?.active).toBe(false);
      const active = await repo.query<{ name: string }>(
        'SELECT name FROM employees WHERE active = :active ORDER BY id',
        { active: true },
      );
      expect(active.map((r) => r.name)).toEqual(['Ada', 'Bob']);
    });
  });

  describe('fetch modes', () => {
    it("'all' (the default) returns every row, as the driver returns it", async () => {
      const rows = await repo.query('SELECT name FROM employees ORDER BY id');
      expect(rows).toEqual([{ name: 'Ada' }, { name: 'Bob' }, { name: 'Eve' }]);
    });

    it("'one' returns the row or null, and refuses more than one row", async () => {
      const sql = 'SELECT name FROM employees WHERE department = :dept';
      expect(await repo.query(sql, { dept: 'ops' }, { fetch: 'one' })).toEqual({ name: 'Eve' });
      expect(await repo.query(sql, { dept: 'hr' }, { fetch: 'one' })).toBeNull();
      const many = await refusal(repo.query(sql, { dept: 'eng' }, { fetch: 'one' }));
      expect(many).toMatchObject({ code: 'QUERY_TOO_MANY_ROWS', subject: '2' });
    });

    it("'none' returns the affected-row count", async () => {
      const count = await repo.query(
        'UPDATE employees SET salary = salary + :raise WHERE department = :dept',
        { raise: 5, dept: 'eng' },
        { fetch: 'none' },
      );
      expect(count).toBe(2);
      expect(await salaries()).toEqual([105, 205, 300]);
      // Matched rows, not changed ones: MySQL's affectedRows counts them too (FOUND_ROWS).
      const same = await repo.query(
        'UPDATE employees SET department = :dept WHERE department = :dept',
        { dept: 'eng' },
        { fetch: 'none' },
      );
      expect(same).toBe(2);
    });

    it('refuses an unknown fetch mode before any SQL runs', async () => {
      const error = await refusal(repo.query('SELECT 1', {}, { fetch: 'first' as never }));
      expect(error).toMatchObject({ code: 'QUERY_INVALID_OPTION', subject: 'fetch' });
      expect(db.queries.count).toBe(0);
    });
  });

  describe('refused statements', () => {
    it('refuses DDL before any SQL runs: the table is still there, nothing was created', async () => {
      const drop = await refusal(repo.query('DROP TABLE employees'));
      expect(drop).toMatchObject({ code: 'QUERY_DDL_REFUSED', subject: 'DROP' });
      const create = await refusal(repo.query('/* setup */ create table raw_probe (id int)'));
      expect(create).toMatchObject({ code: 'QUERY_DDL_REFUSED', subject: 'CREATE' });
      const truncate = await refusal(repo.query('TRUNCATE TABLE employees'));
      expect(truncate.code).toBe('QUERY_DDL_REFUSED');
      expect(db.queries.count).toBe(0);
      expect(await stored('SELECT COUNT(*) AS n FROM employees')).toEqual([
        { n: expect.anything() },
      ]);
      expect(await salaries()).toEqual([100, 200, 300]);
      await expect(stored('SELECT * FROM raw_probe')).rejects.toThrow();
    });

    it('refuses several statements before any SQL runs: none of them ran', async () => {
      const error = await refusal(
        repo.query('UPDATE employees SET salary = 0; DELETE FROM employees'),
      );
      expect(error.code).toBe('QUERY_MULTIPLE_STATEMENTS');
      expect(db.queries.count).toBe(0);
      expect(await salaries()).toEqual([100, 200, 300]);
    });

    it('refuses transaction control, even with allowAdmin', async () => {
      const admin = new EmployeeRepository(db.dataSource, { allowAdmin: true });
      expect((await refusal(admin.query('BEGIN'))).code).toBe('QUERY_TRANSACTION_CONTROL');
      expect(db.queries.count).toBe(0);
    });

    it('allowAdmin: true lets DDL run', async () => {
      const admin = new EmployeeRepository(db.dataSource, { allowAdmin: true });
      await admin.query('CREATE TABLE raw_admin_probe (id INT)', {}, { fetch: 'none' });
      try {
        await admin.query('INSERT INTO raw_admin_probe (id) VALUES (:id)', { id: 7 });
        expect(await stored('SELECT id FROM raw_admin_probe')).toEqual([{ id: 7 }]);
        // The option belongs to that repository only.
        expect((await refusal(repo.query('DROP TABLE raw_admin_probe'))).code).toBe(
          'QUERY_DDL_REFUSED',
        );
      } finally {
        await admin.query('DROP TABLE raw_admin_probe');
      }
      await expect(stored('SELECT * FROM raw_admin_probe')).rejects.toThrow();
    });
  });

  describe('database errors and transactions', () => {
    it('a unique violation becomes a ConflictError and changes nothing', async () => {
      const error = await repo
        .query('UPDATE employees SET email = :email WHERE id = :id', {
          email: 'ada@x.io',
          id: bob.id,
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((await repo.findById(bob.id))?.email).toBe('bob@x.io');
    });

    it('runs inside the transaction of withManager(tx): a rollback leaves nothing behind', async () => {
      const failure = new Error('roll back');
      let inside: unknown;
      const outcome = db.dataSource.transaction(async (manager) => {
        const txRepo = repo.withManager(manager);
        await txRepo.query('UPDATE employees SET salary = :s WHERE id = :id', {
          s: 999,
          id: ada.id,
        });
        await txRepo.query('DELETE FROM employees WHERE id = :id', { id: eve.id });
        // Visible on the transaction's connection before the rollback.
        inside = await txRepo.query(
          'SELECT salary FROM employees WHERE id = :id',
          { id: ada.id },
          { fetch: 'one' },
        );
        throw failure;
      });
      await expect(outcome).rejects.toBe(failure);
      expect(Number((inside as { salary: unknown }).salary)).toBe(999);
      expect(await salaries()).toEqual([100, 200, 300]);
    });

    it("a raw write evicts the entity's cached rows; a raw read caches nothing", async () => {
      const cached = new EmployeeRepository(db.dataSource, {
        cache: { store: new LruCacheStore({ max: 100 }), ttlSeconds: 60 },
      });
      expect((await cached.findById(ada.id))?.salary).toBe(100);
      await cached.query('UPDATE employees SET salary = :s WHERE id = :id', { s: 1, id: ada.id });
      expect((await cached.findById(ada.id))?.salary).toBe(1);
      db.queries.reset();
      await cached.query('SELECT salary FROM employees WHERE id = :id', { id: ada.id });
      await cached.query('SELECT salary FROM employees WHERE id = :id', { id: ada.id });
      expect(db.queries.count).toBe(2);
    });
  });
});
