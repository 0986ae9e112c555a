import { BulkOperationError, ConfigurationError } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { CockroachAdapter } from '../../examples/dialects/cockroach-dialect';
import { Assignment, AssignmentRepository } from '../support/assignment';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import {
  Employee,
  EmployeeRepository,
  ensureSalaryCheck,
  storedEmployees,
} from '../support/employee';
import { Item, ItemRepository } from '../support/item';
import { waitForLockWait } from '../support/lock-waits';
import { builtInTarget, DIALECTS, itWhere, TARGETS, withRegistered } from '../support/servers';

interface Stored {
  id: number;
  email: string;
  name: string;
  salary: number | null;
  department: string | null;
  version: number;
  tenantId: string | null;
  deletedAt: Date | null;
}

const person = (i: number, extra: Record<string, unknown> = {}) => ({
  name: `Person ${i}`,
  email: `p${i}@example.com`,
  department: ['eng', 'ops', 'sales'][i % 3],
  salary: 1000 + i,
  ...extra,
});

describe.each(withRegistered(TARGETS))('bulkCreate on %s', (target) => {
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

  /** The table's contents, read with TypeORM directly rather than through the repository. */
  async function table(): Promise<Stored[]> {
    return (await storedEmployees(db.dataSource)) as unknown as Stored[];
  }

  const inserts = () => db.queries.queries.filter((q) => /^\s*INSERT/i.test(q)).length;

  it('stores 10,000 rows with 1% violations: every row is stored or reported, never both', async () => {
    const n = 10_000;
    const bad = new Map<number, string>();
    const rows = Array.from({ length: n }, (_, i) => {
      if (i % 100 !== 37) return person(i);
      const kind = ((i / 100) % 3) | 0;
      if (kind === 0) {
        bad.set(i, 'UNIQUE_VIOLATION');
        return person(i, { email: `p${i - 1}@example.com` }); // duplicates the row before it
      }
      if (kind === 1) {
        bad.set(i, 'CHECK_VIOLATION');
        return person(i, { salary: -1 });
      }
      bad.set(i, 'VALIDATION_FAILED');
      return person(i, { email: 'not-an-email' });
    });

    const result = await repo.bulkCreate(rows);

    expect(result.totalRecords).toBe(n);
    expect(result.errorCount).toBe(bad.size);
    expect(result.successCount).toBe(n - bad.size);
    expect(result.success).toBe(false);
    expect(new Map(result.errors.map((e) => [e.index, e.code]))).toEqual(bad);
    const stored = await table();
    expect(stored).toHaveLength(n - bad.size);
    const storedEmails = new Set(stored.map((r) => r.email));
    for (let i = 0; i < n; i++) {
      const email = rows[i]!.email as string;
      if (bad.has(i)) {
        if (bad.get(i) !== 'UNIQUE_VIOLATION') expect(storedEmails.has(email)).toBe(false);
      } else {
        expect(storedEmails.has(email)).toBe(true);
      }
    }
    // createdIds: input order, and each matches the row stored under that input's key.
    const idByEmail = new Map(stored.map((r) => [r.email, r.id]));
    const goodEmails = rows.filter((_, i) => !bad.has(i)).map((r) => r.email as string);
    expect(result.createdIds).toEqual(goodEmails.map((e) => idByEmail.get(e)));
    // Isolation cost: about bad × log2(batch) extra statements, nowhere near one per row.
    const batch = adapterFor(db.dataSource).bulkLoad.defaultBatchSize; // 1000; 5000 on PostgreSQL
    const dbBad = [...bad.values()].filter((c) => c !== 'VALIDATION_FAILED').length;
    expect(inserts()).toBeLessThanOrEqual(result.batches + dbBad * 2 * Math.ceil(Math.log2(batch)));
    expect(result.batches).toBe(n / batch);
  });

  it.each([
    [500, 'outside'],
    [1000, 'outside'],
    [37, 'outside'],
    [500, 'inside'],
  ] as const)(
    "duplicates within one call in 'error' mode (batchSize %p, %s a transaction): the first occurrence is stored, each later one reported",
    async (batchSize, where) => {
      const n = 5_000;
      // Every 50th row repeats the unique email of the row 13 before it.
      const later = (i: number) => i > 0 && i % 50 === 0;
      const rows = Array.from({ length: n }, (_, i) =>
        person(i, later(i) ? { email: `p${i - 13}@example.com` } : {}),
      );
      const run = (r: EmployeeRepository) => r.bulkCreate(rows, { batchSize, returnIds: true });
      const result =
        where === 'inside'
          ? await db.dataSource.transaction((manager) => run(repo.withManager(manager)))
          : await run(repo);
      const duplicates = rows.map((_, i) => i).filter(later);
      expect(result.errors.map((e) => [e.index, e.code])).toEqual(
        duplicates.map((i) => [i, 'UNIQUE_VIOLATION']),
      );
      const stored = await table();
      expect(stored).toHaveLength(n - duplicates.length);
      // Each email holds the data of its first occurrence.
      const byEmail = new Map(stored.map((r) => [r.email, r]));
      rows.forEach((row, i) => {
        if (!later(i)) expect(byEmail.get(row.email)?.name).toBe(row.name);
      });
      const firsts = rows.filter((_, i) => !later(i));
      expect(result.createdIds).toEqual(firsts.map((row) => byEmail.get(row.email)!.id));
    },
  );

  it('without ids (COPY on PostgreSQL) still stores or reports every row', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) =>
      i % 250 === 7
        ? person(i, { salary: -1 })
        : i % 250 === 9
          ? person(i, { email: 'p0@example.com' })
          : person(i),
    );
    const bad = rows.flatMap((r, i) =>
      r.salary === -1 || (i > 0 && r.email === 'p0@example.com') ? [i] : [],
    );
    const bulk = jest.fn();
    repo.on('bulkCreated', bulk);
    const result = await repo.bulkCreate(rows, { returnIds: false });
    expect(result.createdIds).toEqual([]);
    expect(result.errors.map((e) => e.index)).toEqual(bad);
    expect(result.successCount).toBe(3000 - bad.length);
    expect(await repo.count()).toBe(3000 - bad.length);
    expect(bulk).toHaveBeenCalledWith(expect.objectContaining({ count: 3000 - bad.length }));
    const copied = db.queries.queries.filter((q) => q.startsWith('COPY')).length;
    expect(copied > 0).toBe(dialect === 'postgres');
    const plan = await repo.bulkCreate([person(1)], { returnIds: false, dryRun: true });
    expect(plan.dryRun!.statements[0]).toMatch(dialect === 'postgres' ? /^COPY / : /^INSERT /);
  });

  it('groups mixed column signatures and leaves omitted columns to their defaults', async () => {
    const rows = [
      { name: 'A', email: 'a@x.io' },
      { name: 'B', email: 'b@x.io', department: 'eng' },
      { name: 'C', email: 'c@x.io', salary: 5, active: false },
      { name: 'D', email: 'd@x.io' },
    ];
    const result = await repo.bulkCreate(rows);
    expect(result.successCount).toBe(4);
    expect(result.batches).toBe(3);
    // Rows of one signature share a statement, so ids follow the groups; compare by name.
    const stored = (await table()).sort((x, y) => x.name.localeCompare(y.name));
    expect(
      stored.map((r) => [
        r.name,
        r.department,
        r.salary,
        (r as unknown as Employee).active,
        r.version,
      ]),
    ).toEqual([
      ['A', null, null, true, 1],
      ['B', 'eng', null, true, 1],
      ['C', null, 5, false, 1],
      ['D', null, null, true, 1],
    ]);
    expect(result.createdIds).toEqual(stored.map((r) => r.id));
  });

  // The registered CockroachDB dialect overrides one part, the syntax: it has no `xmax` flag, so
  // its upserts take the path that reads the existing keys first (a locking read).
  itWhere(dialect === 'postgres')(
    'upserts by the registered dialect where the target has one: keys read first, no xmax flag',
    async () => {
      await repo.bulkCreate([person(1)]);
      const statements = await db.queries.during(() =>
        repo.bulkUpsert([person(1, { salary: 7 }), person(2)], { conflictTarget: ['email'] }),
      );
      const registered = target === 'postgres-registered';
      expect(adapterFor(db.dataSource) instanceof CockroachAdapter).toBe(registered);
      expect(statements.some((q) => /\bxmax\b/.test(q))).toBe(!registered);
      expect(statements.some((q) => /^SELECT .* FOR UPDATE$/s.test(q))).toBe(registered);
      const result = await repo.bulkUpsert([person(2, { salary: 8 }), person(3)], {
        conflictTarget: ['email'],
      });
      expect(result).toMatchObject({ successCount: 2, insertedCount: 1, updatedCount: 1 });
      expect((await table()).map((r) => [r.email, r.salary, r.version])).toEqual([
        ['p1@example.com', 7, 2],
        ['p2@example.com', 8, 2],
        ['p3@example.com', 1003, 1],
      ]);
    },
  );

  it("onConflict 'skip' leaves existing rows alone and reports them as skipped", async () => {
    await repo.bulkCreate([person(1, { salary: 1 }), person(2, { salary: 2 })]);
    const result = await repo.bulkCreate(
      [person(1, { salary: 99 }), person(3), person(2, { salary: 99 })],
      {
        onConflict: 'skip',
        conflictTarget: ['email'],
      },
    );
    expect(result).toMatchObject({
      successCount: 3,
      errorCount: 0,
      insertedCount: 1,
      skippedCount: 2,
      updatedCount: 0,
    });
    const stored = await table();
    expect(stored.map((r) => [r.email, r.salary, r.version])).toEqual([
      ['p1@example.com', 1, 1],
      ['p2@example.com', 2, 1],
      ['p3@example.com', 1003, 1],
    ]);
    expect(result.createdIds).toEqual([stored[2]!.id]);
  });

  it("onConflict 'update' upserts: bumps version, keeps omitted columns, last duplicate wins", async () => {
    await repo.bulkCreate([person(1, { department: 'keep' }), person(2)]);
    const before = await table();
    const result = await repo.bulkUpsert(
      [
        { name: 'One', email: 'p1@example.com', salary: 10 }, // no department: must not be overwritten
        { name: 'Three', email: 'p3@example.com', salary: 30 },
        { name: 'One again', email: 'p1@example.com', salary: 11 }, // same key later in the call: wins
      ],
      { conflictTarget: ['email'] },
    );
    expect(result).toMatchObject({
      successCount: 3,
      errorCount: 0,
      insertedCount: 1,
      updatedCount: 1,
    });
    const stored = await table();
    const p1 = stored.find((r) => r.email === 'p1@example.com')!;
    expect(p1).toMatchObject({
      id: before[0]!.id,
      name: 'One again',
      salary: 11,
      department: 'keep',
      version: 2,
    });
    expect(stored.find((r) => r.email === 'p2@example.com')).toMatchObject({
      version: 1,
      salary: 1002,
    });
    const p3 = stored.find((r) => r.email === 'p3@example.com')!;
    expect(p3).toMatchObject({ name: 'Three', version: 1 });
    expect(result.createdIds).toEqual([p3.id]);
  });

  it('upsert counts and createdIds match the table, with existing rows spread through the input', async () => {
    // Existing rows at every third index, the highest ids deleted first (a gap below new ids).
    const n = 3000;
    await repo.bulkCreate(Array.from({ length: n + 50 }, (_, i) => person(i)));
    const all = await table();
    const doomed = all.slice(-50).map((r) => r.id);
    await repo.bulkDelete({ id__in: doomed }, { soft: false });
    await repo.bulkDelete(
      { email__in: all.filter((_, i) => i % 3 !== 0).map((r) => r.email) },
      {
        soft: false,
      },
    );
    const before = new Map((await table()).map((r) => [r.email, r.id]));
    // Reversed: the first statement meets the existing rows with the highest ids.
    const rows = Array.from({ length: n }, (_, i) => person(n - 1 - i, { salary: 5 }));
    const result = await repo.bulkUpsert(rows, { conflictTarget: ['email'] });
    const stored = await table();
    const byEmail = new Map(stored.map((r) => [r.email, r]));
    const created = rows.filter((r) => !before.has(r.email));
    expect(result).toMatchObject({
      success: true,
      successCount: n,
      insertedCount: created.length,
      updatedCount: n - created.length,
    });
    expect(created.length).toBeGreaterThan(n / 2);
    expect(result.createdIds).toEqual(created.map((r) => byEmail.get(r.email)!.id));
    for (const { email } of rows) {
      const id = before.get(email);
      const expected = id === undefined ? { version: 1, salary: 5 } : { id, version: 2, salary: 5 };
      expect({ email, ...byEmail.get(email) }).toMatchObject({ email, ...expected });
    }
  });

  // A second connection inserts one of the keys and commits while the call is under way: the
  // call must count that row as updated (or skipped), not claim it as its own insert. Not an
  // upsert on postgres-registered: without the xmax flag the call reads the keys first, and
  // PostgreSQL's FOR UPDATE does not wait for a row inserted but not yet committed (InnoDB's
  // does), so on a PostgreSQL server that dialect cannot tell the racing row from its own.
  itWhere(dialect !== 'sqlite').each(
    target === 'postgres-registered' ? (['skip'] as const) : (['update', 'skip'] as const),
  )(
    "onConflict '%s' racing a concurrent insert of one of its keys does not claim that row",
    async (mode) => {
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      try {
        const q = (name: string) => db.dataSource.driver.escape(name);
        const bind = (k: number) => (dialect === 'postgres' ? `$${k}` : '?');
        await other.query(
          `INSERT INTO employees (${q('name')}, ${q('email')}, ${q('version')}, ${q('createdAt')}, ${q('updatedAt')}) VALUES (${bind(1)}, ${bind(2)}, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
          ['Racer', 'p2@example.com'],
        );
        // The call meets the uncommitted row and waits for it (at its locking read, or at the
        // INSERT); the other connection commits once that statement has been sent.
        const sent = db.queries.count;
        const call = repo.bulkCreate([person(1), person(2), person(3)], {
          onConflict: mode,
          conflictTarget: ['email'],
        });
        const blocking = /FOR UPDATE|^\s*INSERT/i;
        for (let waited = 0; waited < 5000; waited += 10) {
          if (db.queries.queries.slice(sent).some((q) => blocking.test(q))) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // The statement has reached the server and waits on the uncommitted row.
        await waitForLockWait(db.dataSource);
        await other.commitTransaction();
        const result = await call;
        const stored = await table();
        const id = (email: string) => stored.find((r) => r.email === email)!.id;
        expect(result).toMatchObject({
          successCount: 3,
          insertedCount: 2,
          updatedCount: mode === 'update' ? 1 : 0,
          skippedCount: mode === 'skip' ? 1 : 0,
        });
        expect(result.createdIds).toEqual([id('p1@example.com'), id('p3@example.com')]);
        expect(stored.find((r) => r.email === 'p2@example.com')).toMatchObject(
          mode === 'update' ? { name: 'Person 2', version: 2 } : { name: 'Racer', version: 1 },
        );
      } finally {
        if (other.isTransactionActive) await other.rollbackTransaction();
        await other.release();
      }
    },
  );

  it('keeps input order across windows written side by side: the later duplicate loses or wins', async () => {
    // Row 4 repeats row 3's email in the next window, which may be in flight at the same time.
    const windows = Array.from({ length: 40 }, (_, i) =>
      i === 4 ? person(3, { salary: 7 }) : person(i),
    );
    const created = await repo.bulkCreate(windows, { batchSize: 4 });
    expect(created.errors).toEqual([
      expect.objectContaining({ index: 4, code: 'UNIQUE_VIOLATION' }),
    ]);
    const upserted = await repo.bulkUpsert(windows, { batchSize: 4, conflictTarget: ['email'] });
    expect(upserted.errorCount).toBe(0);
    expect((await repo.findOne({ email: 'p3@example.com' }))!.salary).toBe(7);
  });

  it('an upsert never revives a soft-deleted row: it is reported and left as it was', async () => {
    const [id] = (await repo.bulkCreate([person(1)])).createdIds;
    await repo.delete(id!);
    const result = await repo.bulkUpsert([person(1, { salary: 5 }), person(2)], {
      conflictTarget: ['email'],
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ index: 0, code: 'UNIQUE_VIOLATION' }),
    ]);
    const stored = await table();
    expect(stored.find((r) => r.id === id)).toMatchObject({ salary: 1001, version: 2 });
    expect(stored.find((r) => r.id === id)!.deletedAt).not.toBeNull();
    expect(stored).toHaveLength(2);
  });

  it("onConflict 'error' reports conflicts with stored rows and stores the rest", async () => {
    await repo.bulkCreate([person(1)]);
    const result = await repo.bulkCreate([person(0), person(1), person(2)]);
    expect(result.errors).toEqual([
      expect.objectContaining({ index: 1, code: 'UNIQUE_VIOLATION' }),
    ]);
    expect((await table()).map((r) => r.email)).toEqual([
      'p1@example.com',
      'p0@example.com',
      'p2@example.com',
    ]);
  });

  it('reports NOT NULL and foreign key violations by index when validation is off', async () => {
    const rows = [person(1), { name: null, email: 'x@x.io' }, person(2)] as never[];
    const result = await repo.bulkCreate(rows, { validate: false });
    expect(result.errors).toEqual([
      expect.objectContaining({ index: 1, code: 'NOT_NULL_VIOLATION' }),
    ]);
    const employeeId = result.createdIds[0] as number;
    const assignments = new AssignmentRepository(db.dataSource);
    const fk = await assignments.bulkCreate([
      { employeeId, project: 'a' },
      { employeeId: 999_999, project: 'b' },
      { employeeId, project: 'c' },
    ]);
    expect(fk.errors).toEqual([
      expect.objectContaining({ index: 1, code: 'FOREIGN_KEY_VIOLATION' }),
    ]);
    expect(await db.dataSource.getRepository(Assignment).count()).toBe(2);
  });

  it('a dry run returns the planned statements and touches nothing', async () => {
    const result = await repo.bulkCreate(
      [person(1), person(2), { name: 'N', email: 'n@x.io' }, { email: 'bad' }] as never[],
      {
        dryRun: true,
      },
    );
    expect(result.dryRun!.statements).toHaveLength(2);
    expect(result.dryRun!.statements[0]).toMatch(/^INSERT INTO .*employees/);
    expect(result.dryRun!.statements.join('\n')).not.toContain('Person 1');
    expect(result.batches).toBe(2);
    expect(result.errors).toEqual([
      expect.objectContaining({ index: 3, code: 'VALIDATION_FAILED' }),
    ]);
    expect(db.queries.count).toBe(0);
    expect(await table()).toEqual([]);
  });

  it('streams an async iterable batch by batch and reports progress after each batch', async () => {
    async function* source() {
      for (let i = 0; i < 2500; i++) yield person(i);
    }
    const progress: unknown[] = [];
    const result = await repo.bulkCreate(source(), {
      batchSize: 1000,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ successCount: 2500, batches: 3 });
    expect(progress).toEqual([
      { processed: 1000, batches: 1, total: undefined },
      { processed: 2000, batches: 2, total: undefined },
      { processed: 2500, batches: 3, total: undefined },
    ]);
    expect(await repo.count()).toBe(2500);
  });

  it('atomic: one bad row rolls the whole call back', async () => {
    const error = await repo
      .bulkCreate([person(1), person(2, { salary: -5 }), person(3)], { atomic: true })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BulkOperationError);
    expect(error.errors).toEqual([expect.objectContaining({ index: 1, code: 'CHECK_VIOLATION' })]);
    expect(await table()).toEqual([]);
  });

  it('createdIds match the stored rows under concurrent bulk inserts from two connections', async () => {
    const a = Array.from({ length: 1500 }, (_, i) => person(i));
    const b = Array.from({ length: 1500 }, (_, i) => person(10_000 + i));
    const [ra, rb] = await Promise.all([
      repo.bulkCreate(a, { batchSize: 100 }),
      repo.bulkCreate(b, { batchSize: 100 }),
    ]);
    const idByEmail = new Map((await table()).map((r) => [r.email, r.id]));
    expect(ra.createdIds).toEqual(a.map((r) => idByEmail.get(r.email)));
    expect(rb.createdIds).toEqual(b.map((r) => idByEmail.get(r.email)));
  });

  it('stamps the tenant, or a per-call tenantId, and never takes over another tenant’s row', async () => {
    let current = 'acme';
    const scoped = new EmployeeRepository(db.dataSource, {
      tenant: { column: 'tenantId', resolve: () => current },
    });
    await scoped.bulkCreate([person(1), person(2)]);
    await scoped.bulkCreate([person(3)], { tenantId: 'globex', crossTenant: true });
    current = 'globex';
    const result = await scoped.bulkUpsert([person(1, { salary: 7 })], {
      conflictTarget: ['email'],
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ index: 0, code: 'UNIQUE_VIOLATION' }),
    ]);
    const stored = await table();
    expect(stored.map((r) => [r.email, r.tenantId, r.salary])).toEqual([
      ['p1@example.com', 'acme', 1001],
      ['p2@example.com', 'acme', 1002],
      ['p3@example.com', 'globex', 1003],
    ]);
  });

  it('fires one bulkCreated event, or per-row created events', async () => {
    const bulk = jest.fn();
    const row = jest.fn();
    repo.on('bulkCreated', bulk);
    repo.on('created', row);
    const result = await repo.bulkCreate([person(1), person(2)]);
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(bulk).toHaveBeenCalledWith(
      expect.objectContaining({ entity: 'Employee', count: 2, ids: result.createdIds }),
    );
    expect(row).not.toHaveBeenCalled();
    await repo.bulkCreate([person(3), person(4)], { emitEvents: 'perRow' });
    expect(row.mock.calls.map(([e]) => e.record.email)).toEqual([
      'p3@example.com',
      'p4@example.com',
    ]);
    expect(bulk).toHaveBeenCalledTimes(1);
  });

  it('refuses wrong options before reading any row', async () => {
    await expect(repo.bulkCreate([person(1)], { batchSize: 0 })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(
      repo.bulkCreate([person(1)], { onConflict: 'update', conflictTarget: ['name'] }),
    ).rejects.toThrow(/not the primary key or a unique constraint/);
    await expect(
      repo.bulkUpsert([person(1)], { updateColumns: ['version'] }),
    ).rejects.toBeInstanceOf(ConfigurationError);
    expect(db.queries.count).toBe(0);
  });

  it("bulkCreate refuses emitEvents: 'bogus' as bulkUpdate does, and writes nothing", async () => {
    const bad = [
      { emitEvents: 'bogus' },
      { returnIds: 'false' },
      { dryRun: 1 },
      { atomic: 'yes' },
      { validate: null },
    ] as unknown as Parameters<typeof repo.bulkCreate>[1][];
    for (const options of bad) {
      await expect(repo.bulkCreate([person(1)], options)).rejects.toBeInstanceOf(
        ConfigurationError,
      );
    }
    await expect(
      repo.bulkUpdate({ salary__gte: 0 }, { salary: 1 }, { emitEvents: 'bogus' as never }),
    ).rejects.toBeInstanceOf(ConfigurationError);
    expect(db.queries.count).toBe(0);
    expect(await repo.count()).toBe(0);
  });
});

describe.each(withRegistered(TARGETS))('bulkCreate inside a transaction on %s', (target) => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(target, [Employee, Assignment]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(() => db.dataSource.query('DELETE FROM employees'));

  it('joins the transaction: bad rows are isolated under savepoints, and the rest commit together', async () => {
    const repo = new EmployeeRepository(db.dataSource);
    const result = await db.dataSource.transaction(async (manager) => {
      const tx = repo.withManager(manager);
      await tx.create(person(0));
      return tx.bulkCreate([person(1), person(0), person(2), person(1)], { batchSize: 4 });
    });
    expect(result.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'UNIQUE_VIOLATION'],
      [3, 'UNIQUE_VIOLATION'],
    ]);
    expect(db.queries.queries.some((q) => /^SAVEPOINT/i.test(q))).toBe(true);
    expect((await repo.list()).map((e) => e.email)).toEqual([
      'p0@example.com',
      'p1@example.com',
      'p2@example.com',
    ]);
  });

  it('rolls back with the transaction', async () => {
    const repo = new EmployeeRepository(db.dataSource);
    await db.dataSource
      .transaction(async (manager) => {
        await repo.withManager(manager).bulkCreate([person(1), person(2)]);
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await repo.count()).toBe(0);
  });
});

describe.each(withRegistered(TARGETS))('bulkCreate value fidelity on %s', (target) => {
  const dialect = builtInTarget(target);
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(target, [Item]);
  });
  afterAll(() => db.dataSource.destroy());

  it('stores the same values without ids (COPY on PostgreSQL) as with them (INSERT)', async () => {
    const repo = new ItemRepository(db.dataSource);
    const awkward = ['tab\there', 'line\nbreak', 'cr\rreturn', 'back\\slash', '\\N', 'ünï 😀', ''];
    const rows = (offset: number) =>
      Array.from({ length: 600 }, (_, i) => ({
        id: offset + i,
        name: i % 9 === 0 ? null : `${awkward[i % awkward.length]}-${i}`,
        qty: i % 7 === 0 ? null : i % 2 === 0 ? -i : i * 1000,
        flag: i % 5 === 0 ? null : i % 2 === 0,
        at: i % 11 === 0 ? null : new Date(Date.UTC(2024, 0, 1, 0, 0, i, i % 1000)),
      }));
    // Items have no DTO rules: only the column check applies.
    const viaInsert = await repo.bulkCreate(rows(0), { validate: false });
    const viaLoad = await repo.bulkCreate(rows(10_000), { returnIds: false, validate: false });
    expect([viaInsert.successCount, viaLoad.successCount]).toEqual([600, 600]);
    if (dialect === 'postgres') {
      expect(db.queries.queries.some((q) => q.startsWith('COPY'))).toBe(true);
    }
    const stored = await db.dataSource.getRepository(Item).find({ order: { id: 'ASC' } });
    const strip = (item: Item, offset: number) => ({ ...item, id: item.id - offset });
    const inserted = stored.filter((r) => r.id < 10_000).map((r) => strip(r, 0));
    const loaded = stored.filter((r) => r.id >= 10_000).map((r) => strip(r, 10_000));
    expect(loaded).toHaveLength(600);
    expect(loaded).toEqual(inserted);
    expect(inserted[1]!.name).toBe('line\nbreak-1');
  });
});

describe.each(DIALECTS.filter((d) => d === 'postgres'))(
  'bulkCreate under a deadlock on %s',
  (dialect) => {
    let db: TestDataSource;
    beforeAll(async () => {
      db = await openDataSource(dialect, [Employee, Assignment]);
    });
    afterAll(() => db.dataSource.destroy());

    it('retries a statement the server rolled back as a deadlock victim', async () => {
      const repo = new EmployeeRepository(db.dataSource);
      const other = db.dataSource.createQueryRunner();
      await other.startTransaction();
      const insert = (runner: typeof other, email: string) =>
        runner.query(`INSERT INTO employees (name, email, version) VALUES ('x', $1, 1)`, [email]);
      await insert(other, 'a@x.io');
      // Ours inserts b, then waits on a. The other transaction then waits on b: a cycle. Ours
      // started waiting first, so its deadlock check (after 1 s) fires first and aborts ours.
      const loading = repo.bulkCreate([
        person(0, { email: 'b@x.io' }),
        person(1, { email: 'a@x.io' }),
      ]);
      await waitForLockWait(db.dataSource); // ours waits on a
      await insert(other, 'b@x.io');
      await other.commitTransaction();
      await other.release();
      const result = await loading;
      // The retry found both keys committed by the other transaction: reported, not thrown.
      expect(result.errors.map((e) => [e.index, e.code])).toEqual([
        [0, 'UNIQUE_VIOLATION'],
        [1, 'UNIQUE_VIOLATION'],
      ]);
      // The deadlocked attempt, its retry, then the two single-row isolation attempts.
      const ours = db.queries.queries.filter((q) => /^INSERT INTO "\S*employees"/.test(q));
      expect(ours).toHaveLength(4);
    });
  },
);
