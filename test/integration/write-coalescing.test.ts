import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ConflictError,
  ConstraintViolationError,
  LruCacheStore,
  TenantError,
  ValidationError,
  WriteCoalescer,
  type BulkEvent,
  type CoalescerOptions,
  type EntityEvent,
} from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import {
  Employee,
  EmployeeRepository,
  ensureSalaryCheck,
  type CreateEmployeeDto,
} from '../support/employee';
import { TARGETS } from '../support/servers';

const person = (i: number, extra: Partial<CreateEmployeeDto> = {}): CreateEmployeeDto => ({
  name: `Person ${i}`,
  email: `p${i}@example.com`,
  department: ['eng', 'ops', 'sales'][i % 3],
  salary: 1000 + i,
  ...extra,
});

/** Yields one event-loop turn: calls already made have been validated and queued. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(TARGETS)('write coalescing on %s', (dialect) => {
  let db: TestDataSource;
  const coalescers: WriteCoalescer[] = [];

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
    await ensureSalaryCheck(db.dataSource);
  });
  afterAll(async () => {
    await Promise.all(coalescers.map((c) => c.close()));
    await db.dataSource.destroy();
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    db.queries.reset();
  });

  function repository(options: Partial<CoalescerOptions> = {}, extra = {}) {
    const coalescer = new WriteCoalescer(options);
    coalescers.push(coalescer);
    return { coalescer, repo: new EmployeeRepository(db.dataSource, { coalescer, ...extra }) };
  }

  const inserts = () => db.queries.queries.filter((q) => /^\s*INSERT/i.test(q));

  /** id → email (and tenant) as stored, read with plain SQL rather than through the library. */
  async function rawRows(): Promise<Map<number, { email: string; tenant: string | null }>> {
    const q = (name: string) => db.dataSource.driver.escape(name);
    const rows = (await db.dataSource.query(
      `SELECT ${q('id')} AS id, ${q('email')} AS email, ${q('tenantId')} AS tenant FROM ${q('employees')}`,
    )) as { id: number | string; email: string; tenant: string | null }[];
    return new Map(rows.map((r) => [Number(r.id), { email: r.email, tenant: r.tenant }]));
  }

  it('2,000 concurrent calls with 1% unique violations: each caller gets its own row or its own ConflictError', async () => {
    const maxBatchSize = 100;
    const { repo } = repository({ maxBatchSize, maxWaitMs: 5 });
    const taken = Array.from({ length: 20 }, (_, k) => person(100_000 + k));
    expect((await repo.bulkCreate(taken)).successCount).toBe(20);
    const bulkEvents: BulkEvent[] = [];
    repo.on('bulkCreated', (e) => bulkEvents.push(e));
    db.queries.reset();

    const n = 2000;
    const isBad = (i: number) => i % 100 === 37;
    const dtos = Array.from({ length: n }, (_, i) =>
      isBad(i) ? person(i, { email: taken[Math.floor(i / 100)]!.email }) : person(i),
    );
    const settled = await Promise.allSettled(dtos.map((dto) => repo.createBatched(dto)));

    const stored = await rawRows();
    expect(stored.size).toBe(n - 20 + 20);
    const ids = new Set<number>();
    settled.forEach((outcome, i) => {
      if (isBad(i)) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as unknown;
        expect(error).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).code).toBe('UNIQUE_VIOLATION');
        return;
      }
      expect(outcome.status).toBe('fulfilled');
      const row = (outcome as PromiseFulfilledResult<Employee>).value;
      expect(row.email).toBe(dtos[i]!.email);
      expect(stored.get(row.id)?.email).toBe(dtos[i]!.email);
      ids.add(row.id);
    });
    expect(ids.size).toBe(n - 20);

    // ≤ n / maxBatchSize statements, plus about 2 × log2(batch) per bad row to isolate it.
    const isolation = 20 * 2 * Math.ceil(Math.log2(maxBatchSize));
    expect(inserts().length).toBeLessThanOrEqual(n / maxBatchSize + isolation);
    const metrics = repo.coalescerMetrics();
    expect(metrics.batches).toBe(n / maxBatchSize);
    expect(metrics.entriesPerBatch.max).toBe(maxBatchSize);
    expect(metrics.fallbacks).toBe(20);
    expect(metrics.errors).toEqual({ UNIQUE_VIOLATION: 20 });
    expect(metrics.pending).toBe(0);
    // One bulkCreated event per flush, carrying exactly the ids its callers got.
    expect(bulkEvents).toHaveLength(n / maxBatchSize);
    expect(new Set(bulkEvents.flatMap((e) => e.ids ?? []))).toEqual(ids);
  });

  it('a batch that fails as a whole gives each caller the real error, not "no outcome"', async () => {
    const { repo } = repository({ maxWaitMs: 5 });
    const q = (name: string) => db.dataSource.driver.escape(name);
    await db.dataSource.query(`ALTER TABLE ${q('employees')} RENAME TO ${q('employees_away')}`);
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await Promise.allSettled([1, 2, 3].map((i) => repo.createBatched(person(i))));
    } finally {
      await db.dataSource.query(`ALTER TABLE ${q('employees_away')} RENAME TO ${q('employees')}`);
    }
    const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as Error) : s));
    for (const reason of reasons) {
      expect(reason).toBeInstanceOf(Error);
      expect((reason as { code?: string }).code).not.toBe('BULK_OPERATION_FAILED');
      expect((reason as Error).message).not.toMatch(/no outcome|reported nothing/);
    }
    expect(await rawRows()).toEqual(new Map());
  });

  it('returns the row exactly as create() does: id, defaults, version and timestamps', async () => {
    const { repo } = repository({ maxBatchSize: 4, minBatchSize: 2 });
    const [a, b, c, d] = await Promise.all([
      repo.createBatched(person(1)),
      repo.createBatched(person(2, { active: false })),
      repo.createBatched(person(3)),
      repo.createBatched(person(4)),
    ]);
    const single = await repo.create(person(5));
    for (const row of [a!, b!, c!, d!]) {
      expect(row).toBeInstanceOf(Employee);
      expect(Object.keys(row).sort()).toEqual(Object.keys(single).sort());
      expect(row.version).toBe(1);
      expect(row.createdAt).toBeInstanceOf(Date);
      expect(row.deletedAt).toBeNull();
      expect(row).toEqual(await repo.findById(row.id));
    }
    expect(a!.active).toBe(true);
    expect(b!.active).toBe(false);
    expect(repo.coalescerMetrics().batches).toBe(1);
  });

  it('gives each bad caller its own typed error and stores the rest of its batch', async () => {
    const { repo } = repository({ maxBatchSize: 6 });
    await repo.create(person(0));
    const calls = [
      repo.createBatched(person(1)),
      repo.createBatched(person(2, { email: 'p0@example.com' })),
      repo.createBatched(person(3, { salary: -1 })),
      repo.createBatched(person(4, { email: 'not-an-email' })),
      repo.createBatched(person(5)),
      repo.createBatched(person(6)),
      repo.createBatched(person(7)),
    ];
    const settled = await Promise.allSettled(calls);
    const reason = (i: number) => (settled[i] as PromiseRejectedResult).reason as unknown;
    expect(reason(1)).toBeInstanceOf(ConflictError);
    expect(reason(2)).toBeInstanceOf(ConstraintViolationError);
    expect((reason(2) as ConstraintViolationError).code).toBe('CHECK_VIOLATION');
    // Invalid input fails at the call, as create() would, and never joins a batch.
    expect(reason(3)).toBeInstanceOf(ValidationError);
    expect((reason(3) as ValidationError).index).toBeUndefined();
    expect([0, 4, 5, 6].map((i) => settled[i]!.status)).toEqual(Array(4).fill('fulfilled'));
    const emails = [...(await rawRows()).values()].map((r) => r.email).sort();
    expect(emails).toEqual(['p0', 'p1', 'p5', 'p6', 'p7'].map((p) => `${p}@example.com`));
    expect(repo.coalescerMetrics().errors).toEqual({
      UNIQUE_VIOLATION: 1,
      CHECK_VIOLATION: 1,
    });
  });

  it('forceIndividual writes at once by the single-row path', async () => {
    const { repo } = repository({ maxBatchSize: 5, maxWaitMs: 60_000 });
    const created: EntityEvent<Employee>[] = [];
    const bulk: BulkEvent[] = [];
    repo.on('created', (e) => created.push(e)).on('bulkCreated', (e) => bulk.push(e));
    const batched = [1, 2, 3, 4].map((i) => repo.createBatched(person(i)));
    // The group (4 of 5, a minute to wait) is still open; the forced call does not join it.
    const forced = await repo.createBatched(person(9), { forceIndividual: true });
    expect(repo.coalescerMetrics().pending).toBe(4);
    expect([...(await rawRows()).keys()]).toEqual([forced.id]);
    expect(created.map((e) => e.id)).toEqual([forced.id]);
    const last = repo.createBatched(person(5)); // fills the group: flushed at once
    const rows = await Promise.all([...batched, last]);
    expect(bulk).toHaveLength(1);
    expect(bulk[0]!.ids).toEqual(rows.map((r) => r.id));
    expect(repo.coalescerMetrics().individual.forced).toBe(1);
  });

  it('a group below minBatchSize takes the single-row path', async () => {
    const { repo } = repository({ maxBatchSize: 50, minBatchSize: 5, maxWaitMs: 1 });
    const created: EntityEvent<Employee>[] = [];
    repo.on('created', (e) => created.push(e));
    const few = await Promise.all([1, 2, 3].map((i) => repo.createBatched(person(i))));
    expect(inserts()).toHaveLength(3);
    expect(created.map((e) => e.id).sort()).toEqual(few.map((r) => r.id).sort());
    let metrics = repo.coalescerMetrics();
    expect(metrics.individual.belowMinBatch).toBe(3);
    expect(metrics.batches).toBe(0);

    db.queries.reset();
    await Promise.all([4, 5, 6, 7, 8, 9].map((i) => repo.createBatched(person(i))));
    expect(inserts()).toHaveLength(1);
    metrics = repo.coalescerMetrics();
    expect(metrics.batches).toBe(1);
    expect(metrics.batchedEntries).toBe(6);
    expect((await rawRows()).size).toBe(9);
  });

  it('keeps column signatures apart and reports the variation', async () => {
    const { repo } = repository({ maxBatchSize: 100, maxWaitMs: 5 });
    const shapes = [
      (i: number) => ({ name: `N${i}`, email: `n${i}@example.com` }),
      (i: number) => ({ name: `S${i}`, email: `s${i}@example.com`, salary: i }),
      (i: number) => ({ name: `A${i}`, email: `a${i}@example.com`, active: false }),
    ];
    const calls = Array.from({ length: 30 }, (_, i) => repo.createBatched(shapes[i % 3]!(i)));
    const rows = await Promise.all(calls);
    expect(inserts()).toHaveLength(3);
    // A row that left a column out got its default, never another row's value or NULL.
    const stored = await db.dataSource.getRepository(Employee).find();
    for (const row of stored) {
      expect(row.active).toBe(!row.name.startsWith('A'));
      expect(row.salary).toBe(row.name.startsWith('S') ? Number(row.name.slice(1)) : null);
    }
    expect(rows.map((r) => r.name)).toEqual(calls.map((_, i) => `${'NSA'[i % 3]}${i}`));
    const metrics = repo.coalescerMetrics();
    expect(metrics.schemaVariations).toEqual({ Employee: 3 });
    expect(metrics.schemaVariationAlerts).toBe(2);
    expect(metrics.batches).toBe(3);
  });

  it('writes each call under its own tenant, never two tenants in one statement', async () => {
    const tenants = new AsyncLocalStorage<string>();
    const { repo } = repository(
      { maxBatchSize: 25, maxWaitMs: 5 },
      { tenant: { column: 'tenantId', resolve: () => tenants.getStore() } },
    );
    const events: BulkEvent[] = [];
    repo.on('bulkCreated', (e) => events.push(e));
    const tenantOf = (i: number) => ['acme', 'globex', 'initech'][i % 3]!;
    // Interleaved: the flush timer of a group runs in whichever caller's context started it.
    const rows = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        tenants.run(tenantOf(i), () => repo.createBatched(person(i))),
      ),
    );
    const stored = await rawRows();
    rows.forEach((row, i) => {
      expect(row.tenantId).toBe(tenantOf(i));
      expect(stored.get(row.id)?.tenant).toBe(tenantOf(i));
    });
    expect(events).toHaveLength(6);
    for (const event of events) {
      expect(event.ids).toHaveLength(event.count);
      for (const id of event.ids!) expect(stored.get(Number(id))?.tenant).toBe(event.tenantId);
    }
    // The tenant is resolved when the call is made: a call without one fails then.
    await expect(repo.createBatched(person(999))).rejects.toBeInstanceOf(TenantError);
  });

  it('inside a transaction goes straight to create(), and a rollback leaves nothing', async () => {
    const { repo } = repository({ maxBatchSize: 100, maxWaitMs: 60_000 });
    // Open group outside the transaction, waiting a minute for more entries.
    const outside = [1, 2].map((i) => repo.createBatched(person(i)));
    await turn();
    expect(repo.coalescerMetrics().pending).toBe(2);

    const rolledBack = await db.dataSource
      .transaction(async (manager) => {
        const tx = repo.withManager(manager);
        const row = await tx.createBatched(person(3));
        expect(row.id).toBeDefined();
        expect(await tx.count()).toBe(1); // visible inside the transaction already
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    expect(rolledBack).toBe('roll back');
    const committed = await repo.transaction((txRepo) => txRepo.createBatched(person(4)));

    expect(repo.coalescerMetrics().individual.transaction).toBe(2);
    expect(repo.coalescerMetrics().pending).toBe(2); // neither joined the open group
    await repo.coalescer.flush();
    const rows = await Promise.all(outside);
    const emails = [...(await rawRows()).values()].map((r) => r.email).sort();
    expect(emails).toEqual(['p1@example.com', 'p2@example.com', 'p4@example.com']);
    expect(new Set([...rows.map((r) => r.id), committed.id]).size).toBe(3);
  });

  it('applies backpressure: never more than maxPending entries, callers wait their turn', async () => {
    const maxPending = 20;
    const { repo } = repository({ maxBatchSize: 10, maxPending, maxWaitMs: 1 });
    const seen: { pending: number; waiting: number }[] = [];
    // Sampled as each flush is reported, while the other callers are still arriving.
    repo.on('bulkCreated', () => seen.push(repo.coalescerMetrics()));
    const n = 300;
    const rows = await Promise.all(
      Array.from({ length: n }, (_, i) => repo.createBatched(person(i))),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(n);
    expect((await rawRows()).size).toBe(n);
    const metrics = repo.coalescerMetrics();
    expect(metrics.peakPending).toBe(maxPending);
    expect(metrics.backpressureWaits).toBeGreaterThan(0);
    expect(seen.every((s) => s.pending <= maxPending)).toBe(true);
    expect(seen.some((s) => s.waiting > 0)).toBe(true);
    expect(metrics.waiting).toBe(0);
    expect(metrics.pending).toBe(0);
  });

  it('close() drains pending work; later calls are written one by one', async () => {
    const { coalescer, repo } = repository({ maxBatchSize: 1000, maxWaitMs: 60_000 });
    const answered: number[] = [];
    const calls = Array.from({ length: 50 }, (_, i) =>
      repo.createBatched(person(i)).then((row) => {
        answered.push(i);
        return row;
      }),
    );
    await turn();
    expect(coalescer.metrics().pending).toBe(50);
    expect((await rawRows()).size).toBe(0);

    await coalescer.close();
    expect(answered).toHaveLength(50);
    expect((await rawRows()).size).toBe(50);
    expect(coalescer.metrics().batches).toBe(1);
    const rows = await Promise.all(calls);
    expect(rows.map((r) => r.email)).toEqual(calls.map((_, i) => `p${i}@example.com`));

    const late = await repo.createBatched(person(50));
    expect((await rawRows()).get(late.id)?.email).toBe('p50@example.com');
    expect(coalescer.metrics().individual.closed).toBe(1);

    // A call still being validated when close() is called is waited for too.
    const second = repository({ maxWaitMs: 60_000 });
    let answeredLast = false;
    const raced = second.repo.createBatched(person(51)).then((row) => {
      answeredLast = true;
      return row;
    });
    await second.coalescer.close();
    expect(answeredLast).toBe(true);
    expect((await rawRows()).get((await raced).id)?.email).toBe('p51@example.com');
  });

  it('enabled: false is a pass-through to create()', async () => {
    const { repo } = repository({ enabled: false });
    const created: EntityEvent<Employee>[] = [];
    repo.on('created', (e) => created.push(e));
    const rows = await Promise.all([1, 2, 3, 4, 5].map((i) => repo.createBatched(person(i))));
    expect(inserts()).toHaveLength(5);
    expect(created).toHaveLength(5);
    const metrics = repo.coalescerMetrics();
    expect(metrics.individual.disabled).toBe(5);
    expect(metrics.batches).toBe(0);
    expect([...(await rawRows()).keys()].sort((a, b) => a - b)).toEqual(
      rows.map((r) => r.id).sort((a, b) => a - b),
    );
  });

  it('invalidates the cache once per flush', async () => {
    const { repo } = repository(
      { maxBatchSize: 10, maxWaitMs: 5 },
      { cache: { store: new LruCacheStore({ max: 100 }) } },
    );
    expect(await repo.count()).toBe(0); // cached now
    await Promise.all(Array.from({ length: 10 }, (_, i) => repo.createBatched(person(i))));
    expect(await repo.count()).toBe(10);
  });

  it('a repository without a coalescer gets its own, and one coalescer serves several repositories', async () => {
    const own = new EmployeeRepository(db.dataSource);
    const row = await own.createBatched(person(1));
    expect(row.id).toBeDefined();
    expect(own.coalescer).toBe(own.coalescer);
    expect(own.coalescerMetrics().entries).toBe(1);
    await own.coalescer.close();

    const { coalescer, repo } = repository({ maxBatchSize: 10, maxWaitMs: 5 });
    const other = new EmployeeRepository(db.dataSource, { coalescer });
    const rows = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? repo : other).createBatched(person(10 + i))),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(10);
    // Two repositories: two groups of five, never one statement between them.
    expect(coalescer.metrics().batches).toBe(2);
    expect(other.coalescerMetrics()).toEqual(repo.coalescerMetrics());
  });
});
