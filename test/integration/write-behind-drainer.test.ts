import Redis from 'ioredis';
import {
  ConflictError,
  ConstraintViolationError,
  LruCacheStore,
  WriteBehindError,
  WriteBehindAppliedKeysMigration,
  WriteBehindDrainer,
  drainerOptionsFromEnv,
  type BulkEvent,
  type DrainerOptions,
  type EntityEvent,
  type WriteBehindConfig,
} from '../../src';
import { uniquePrefix } from '../support/cache-stores';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import {
  Employee,
  EmployeeRepository,
  ensureSalaryCheck,
  person,
  storedEmployees,
} from '../support/employee';
import { REDIS_AVAILABLE, REDIS_URL, TARGETS } from '../support/servers';

(REDIS_AVAILABLE ? describe.each(TARGETS) : describe.skip.each(TARGETS))(
  'write-behind drainer on %s',
  (target) => {
    let db: TestDataSource;
    let redis: Redis;
    let prefix: string;
    const drainers: WriteBehindDrainer[] = [];

    beforeAll(async () => {
      db = await openDataSource(target, [Employee]);
      await ensureSalaryCheck(db.dataSource);
      const runner = db.dataSource.createQueryRunner();
      await new WriteBehindAppliedKeysMigration().up(runner);
      await runner.release();
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      await redis.quit();
      await db.dataSource.destroy();
    });
    beforeEach(async () => {
      prefix = uniquePrefix();
      await db.dataSource.query('DELETE FROM employees');
      await db.dataSource.query('DELETE FROM tbr_write_behind_applied');
      db.queries.reset();
    });
    afterEach(async () => {
      await Promise.all(drainers.splice(0).map((d) => d.stop()));
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    });

    function repository(config: Partial<WriteBehindConfig<Employee>> = {}, extra = {}) {
      return new EmployeeRepository(db.dataSource, {
        writeBehind: { redis, keyPrefix: prefix, ...config },
        ...extra,
      });
    }

    function drainer(repos: EmployeeRepository[], options: Partial<DrainerOptions> = {}) {
      const made = new WriteBehindDrainer({
        redis,
        repositories: repos,
        consumer: 'test-drainer',
        ...options,
      });
      drainers.push(made);
      return made;
    }

    const inserts = () =>
      db.queries.queries.filter((q) => /^\s*INSERT INTO\s+(\S+\.)?\W?employees\W/i.test(q));
    const applied = async () =>
      Number(
        (
          (await db.dataSource.query('SELECT COUNT(*) AS n FROM tbr_write_behind_applied')) as {
            n: number | string;
          }[]
        )[0]!.n,
      );

    it('writes each group through one bulk INSERT, a forced entry alone, and acknowledges and trims them', async () => {
      const repo = repository({}, { cache: { store: new LruCacheStore({ max: 100 }) } });
      const bulkEvents: BulkEvent[] = [];
      const created: EntityEvent<Employee>[] = [];
      repo.on('bulkCreated', (e) => bulkEvents.push(e));
      repo.on('created', (e) => created.push(e));
      // Cached "no rows" before the drain: the drain must invalidate it.
      expect(await repo.count()).toBe(0);
      const receipts = [];
      for (let i = 0; i < 30; i++) receipts.push(await repo.enqueueCreate(person(i)));
      for (let i = 30; i < 50; i++) {
        receipts.push(await repo.enqueueCreate(person(i, { department: 'ops' })));
      }
      const forced = await repo.enqueueCreate(person(50), { forceIndividual: true });
      db.queries.reset();

      const d = drainer([repo]);
      const report = await d.drainOnce();
      expect(report).toEqual({ read: 51, stored: 51, duplicates: 0, deadLettered: 0, retrying: 0 });

      const rows = await storedEmployees(db.dataSource);
      expect(rows.map((r) => r.email).sort()).toEqual(
        Array.from({ length: 51 }, (_, i) => `p${i}@example.com`).sort(),
      );
      expect(rows.find((r) => r.email === 'p40@example.com')?.department).toBe('ops');
      expect(rows.find((r) => r.email === 'p3@example.com')?.name).toBe('Pérson 3 名');
      // Two signatures → two bulk INSERTs; the forced entry by the single-row INSERT.
      expect(inserts()).toHaveLength(3);
      expect(bulkEvents.map((e) => e.count).sort((a, b) => a - b)).toEqual([20, 30]);
      expect(created.map((e) => e.record.email)).toEqual(['p50@example.com']);
      expect(await repo.count()).toBe(51);
      expect(await applied()).toBe(51);
      expect(await redis.xlen(`${prefix}{Employee:0}`)).toBe(0);

      const metrics = await d.metrics();
      expect(metrics.entities.Employee).toEqual({ pending: 0, lagMs: 0, deadLetters: 0 });
      expect(metrics.drained).toBe(51);
      expect(metrics.batches).toBe(3);
      expect(metrics.entriesPerBatch.max).toBe(30);
      expect(metrics.schemaVariations).toEqual({ Employee: 2 });
      expect(receipts.length + 1).toBe(51);
      expect(forced.entryId).toMatch(/-/);
    });

    it('an idempotency key enqueued twice, or delivered again after it was applied, gives one row', async () => {
      const repo = repository();
      const d = drainer([repo]);
      await repo.enqueueCreate(person(1), { idempotencyKey: 'order-1' });
      await repo.enqueueCreate(person(1), { idempotencyKey: 'order-1' });
      await repo.enqueueCreate(person(2), { idempotencyKey: 'order-2' });
      expect(await d.drainOnce()).toMatchObject({ read: 3, stored: 2, duplicates: 1 });
      // A producer retrying after the drain, and a redelivery of the same fields.
      await repo.enqueueCreate(person(1), { idempotencyKey: 'order-1' });
      expect(await d.drainOnce()).toMatchObject({ read: 1, stored: 0, duplicates: 1 });
      const rows = await storedEmployees(db.dataSource);
      expect(rows.map((r) => r.email).sort()).toEqual(['p1@example.com', 'p2@example.com']);
      expect(await applied()).toBe(2);
      expect((await d.metrics()).duplicates).toBe(2);
    });

    it('dead-letters the rows the database refuses, with code and attempts, stores the rest, and replays them once fixed', async () => {
      const repo = repository();
      const d = drainer([repo]);
      await repo.create(person(7));
      for (let i = 0; i < 10; i++) {
        if (i === 3) await repo.enqueueCreate(person(7), { idempotencyKey: 'dup-7' });
        else if (i === 6) await repo.enqueueCreate(person(6, { salary: -5 }));
        else await repo.enqueueCreate(person(i === 7 ? 77 : i));
      }
      expect(await d.drainOnce()).toMatchObject({ read: 10, stored: 8, deadLettered: 2 });
      expect((await storedEmployees(db.dataSource)).length).toBe(9);

      const dead = await d.deadLetters(repo);
      expect(dead.map((l) => [l.code, l.attempts]).sort()).toEqual([
        ['CHECK_VIOLATION', 1],
        ['UNIQUE_VIOLATION', 1],
      ]);
      const duplicate = dead.find((l) => l.code === 'UNIQUE_VIOLATION')!;
      expect(duplicate.idempotencyKey).toBe('dup-7');
      expect(duplicate.values?.email).toBe('p7@example.com');
      expect(duplicate.message).not.toBe('');
      const metrics = await d.metrics();
      expect(metrics.entities.Employee).toMatchObject({ pending: 0, deadLetters: 2 });
      expect(metrics.errors).toEqual({ CHECK_VIOLATION: 1, UNIQUE_VIOLATION: 1 });

      // Fix the cause (the row holding the email goes), replay the one letter, twice over.
      await db.dataSource.query("DELETE FROM employees WHERE email = 'p7@example.com'");
      expect(await d.replayDeadLetters(repo, [duplicate.id])).toBe(1);
      expect(await d.replayDeadLetters(repo, [duplicate.id])).toBe(0);
      expect(await d.drainOnce()).toMatchObject({ read: 1, stored: 1 });
      const emails = (await storedEmployees(db.dataSource)).map((r) => r.email);
      expect(emails.filter((e) => e === 'p7@example.com')).toHaveLength(1);
      expect((await d.deadLetters(repo)).map((l) => l.code)).toEqual(['CHECK_VIOLATION']);
    });

    it("takes over a crashed consumer's pending entries after claimIdleMs, writing each once", async () => {
      const repo = repository();
      for (let i = 0; i < 5; i++) await repo.enqueueCreate(person(i));
      const stream = `${prefix}{Employee:0}`;
      await redis.xgroup('CREATE', stream, 'tbr-drainers', '0', 'MKSTREAM');
      // A consumer reads them and dies without acknowledging.
      await redis.xreadgroup(
        'GROUP',
        'tbr-drainers',
        'crashed',
        'COUNT',
        3,
        'STREAMS',
        stream,
        '>',
      );
      const patient = drainer([repo], { claimIdleMs: 60_000 });
      expect(await patient.drainOnce()).toMatchObject({ read: 2, stored: 2 });
      const d = drainer([repo], { claimIdleMs: 0, consumer: 'taker' });
      expect(await d.drainOnce()).toMatchObject({ read: 3, stored: 3 });
      expect((await d.metrics()).redeliveries).toBe(3);
      expect((await storedEmployees(db.dataSource)).length).toBe(5);
      const pending = (await redis.xpending(stream, 'tbr-drainers')) as [number];
      expect(pending[0]).toBe(0);
    });

    it('leaves a group that fails as a whole pending, then dead-letters it after maxAttempts deliveries', async () => {
      const repo = repository();
      for (let i = 0; i < 3; i++) await repo.enqueueCreate(person(i));
      const q = (n: string) => db.dataSource.driver.escape(n);
      await db.dataSource.query(`ALTER TABLE ${q('employees')} RENAME TO ${q('employees_away')}`);
      const d = drainer([repo], { maxAttempts: 2 });
      let retried = 0;
      try {
        expect(await d.drainOnce()).toMatchObject({ read: 3, stored: 0, retrying: 3 });
        expect((await d.metrics()).entities.Employee).toMatchObject({ pending: 3, deadLetters: 0 });
        // The stream is in backoff; poll rounds until the second delivery dead-letters them.
        for (let round = 0; round < 200; round++) {
          const report = await d.drainOnce();
          retried += report.read;
          if (report.deadLettered > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await db.dataSource.query(`ALTER TABLE ${q('employees_away')} RENAME TO ${q('employees')}`);
      }
      expect(retried).toBe(3);
      const dead = await d.deadLetters(repo);
      expect(dead).toHaveLength(3);
      expect(dead.every((l) => l.attempts === 2 && l.code === 'DATABASE_ERROR')).toBe(true);
      expect((await d.metrics()).entities.Employee).toMatchObject({ pending: 0, deadLetters: 3 });
      expect(await d.replayDeadLetters(repo)).toBe(3);
      expect(await d.drainOnce()).toMatchObject({ stored: 3 });
      expect((await storedEmployees(db.dataSource)).length).toBe(3);
    });

    it('upserts on the conflict target, and keeps tenants in groups of their own', async () => {
      let tenant = 'acme';
      const repo = repository(
        { conflictTarget: ['email'] },
        { tenant: { column: 'tenantId', resolve: () => tenant } },
      );
      await repo.create(person(1));
      await repo.enqueueUpsert(person(1, { salary: 5 }));
      tenant = 'globex';
      await repo.enqueueCreate(person(2));
      const d = drainer([repo]);
      expect(await d.drainOnce()).toMatchObject({ read: 2, stored: 2 });
      const rows = await storedEmployees(db.dataSource);
      expect(rows.map((r) => [r.email, r.salary, r.tenantId, r.version])).toEqual([
        ['p1@example.com', 5, 'acme', 2],
        ['p2@example.com', 1002, 'globex', 1],
      ]);
    });

    it('start() drains as entries arrive; stop() finishes the batch in flight', async () => {
      const repo = repository();
      const d = drainer([repo], { blockMs: 50, batching: drainerOptionsFromEnv({}).batching });
      d.start();
      for (let i = 0; i < 120; i++) await repo.enqueueCreate(person(i));
      for (let tries = 0; tries < 500; tries++) {
        if ((await storedEmployees(db.dataSource)).length === 120) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await d.stop();
      expect((await storedEmployees(db.dataSource)).length).toBe(120);
      expect((await d.metrics()).entities.Employee.pending).toBe(0);
    });

    it('awaitStored: each concurrent caller gets its own stored row with its real id, or its own typed error', async () => {
      const repo = repository();
      await repo.create(person(5));
      const d = drainer([repo], { blockMs: 20 });
      d.start();
      const calls = Array.from({ length: 20 }, (_, i) =>
        i === 5
          ? repo.enqueueCreate(person(5), { awaitStored: true })
          : i === 9
            ? repo.enqueueCreate(person(9, { salary: -1 }), { awaitStored: true })
            : repo.enqueueCreate(person(i, { department: i % 2 ? null : 'eng' }), {
                awaitStored: true,
              }),
      );
      const settled = await Promise.allSettled(calls);
      const stored = new Map((await storedEmployees(db.dataSource)).map((r) => [r.id, r]));
      settled.forEach((outcome, i) => {
        if (i === 5 || i === 9) {
          expect(outcome.status).toBe('rejected');
          const error = (outcome as PromiseRejectedResult).reason as unknown;
          expect(error).toBeInstanceOf(i === 5 ? ConflictError : ConstraintViolationError);
          return;
        }
        const row = (outcome as PromiseFulfilledResult<Employee>).value;
        expect(row).toBeInstanceOf(Employee);
        expect(row.email).toBe(`p${i}@example.com`);
        expect(row.createdAt).toBeInstanceOf(Date);
        expect(stored.get(row.id)?.email).toBe(row.email);
        expect(stored.get(row.id)?.createdAt.getTime()).toBe(row.createdAt.getTime());
      });
      expect(stored.size).toBe(19);
    });

    it('awaitStored with no drainer running says the outcome is unknown; the entry is drained later, and a retry with its key gets the row', async () => {
      const repo = repository({ awaitStoredTimeoutMs: 200 });
      const error = await repo
        .enqueueCreate(person(1), { awaitStored: true, idempotencyKey: 'slow-1' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteBehindError);
      expect(error).toMatchObject({ code: 'WRITE_BEHIND_OUTCOME_UNKNOWN', outcome: 'unknown' });
      const d = drainer([repo], { blockMs: 20 });
      expect(await d.drainOnce()).toMatchObject({ stored: 1 });
      d.start();
      const again = await repo.enqueueCreate(person(1), {
        awaitStored: true,
        idempotencyKey: 'slow-1',
      });
      const rows = await storedEmployees(db.dataSource);
      expect(rows.map((r) => r.id)).toEqual([again.id]);
    });

    it('awaitStored: a caller whose entry a dead drainer had taken gets its row from the drainer that takes over', async () => {
      const repo = repository();
      const stream = `${prefix}{Employee:0}`;
      await redis.xgroup('CREATE', stream, 'tbr-drainers', '0', 'MKSTREAM');
      const waiting = repo.enqueueCreate(person(3), { awaitStored: true });
      // The entry is taken by a consumer that dies with it.
      let taken: unknown[] = [];
      for (let tries = 0; tries < 200 && taken.length === 0; tries++) {
        const read = (await redis.xreadgroup(
          'GROUP',
          'tbr-drainers',
          'dead',
          'COUNT',
          1,
          'STREAMS',
          stream,
          '>',
        )) as [string, unknown[]][] | null;
        taken = read?.[0]?.[1] ?? [];
        if (taken.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(taken).toHaveLength(1);
      const d = drainer([repo], { claimIdleMs: 100, blockMs: 20, consumer: 'survivor' });
      d.start();
      const row = await waiting;
      expect((await storedEmployees(db.dataSource)).map((r) => r.id)).toEqual([row.id]);
      expect((await d.metrics()).redeliveries).toBe(1);
    });

    it('pruneAppliedKeys removes the keys older than retentionMs, and only those', async () => {
      const repo = repository();
      const d = drainer([repo], { retentionMs: 60_000 });
      await repo.enqueueCreate(person(1), { idempotencyKey: 'fresh' });
      await d.drainOnce();
      const q = (n: string) => db.dataSource.driver.escape(n);
      const old = Date.now() - 120_000;
      await db.dataSource.query(
        `INSERT INTO ${q('tbr_write_behind_applied')} (${q('entity')}, ${q('idempotency_key')}, ${q('entity_id')}, ${q('applied_at')}) VALUES ('Employee', 'stale', NULL, ${old})`,
      );
      expect(await applied()).toBe(2);
      expect(await d.pruneAppliedKeys()).toBe(1);
      const left = (await db.dataSource.query(
        `SELECT ${q('idempotency_key')} AS k FROM ${q('tbr_write_behind_applied')}`,
      )) as { k: string }[];
      expect(left.map((r) => r.k)).toEqual(['fresh']);
    });

    it('with BATCHED_CREATE_ENABLED=false writes every entry on its own', async () => {
      const repo = repository();
      for (let i = 0; i < 4; i++) await repo.enqueueCreate(person(i));
      db.queries.reset();
      const env = drainerOptionsFromEnv({
        BATCHED_CREATE_ENABLED: 'false',
        INSERT_BATCH_SIZE: '7',
      });
      expect(env).toEqual({ batching: false, batchSize: 7 });
      const d = drainer([repo], env);
      expect(await d.drainOnce()).toMatchObject({ stored: 4 });
      expect(inserts()).toHaveLength(4);
      expect((await d.metrics()).batches).toBe(4);
    });
  },
);
