import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  LockingOptionError,
  LruCacheStore,
  MergeConflictError,
  NotFoundError,
  OptimisticLockError,
  TransientDatabaseError,
  ValidationError,
  type LockMetricsSnapshot,
} from '../../src';
import { backoffDelay } from '../../src/transactions/backoff';
import { ConflictHistory } from '../../src/locking/conflict-history';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository, type UpdateEmployeeDto } from '../support/employee';
import { DIALECTS } from '../support/servers';

const WORKERS = 8;
const INCREMENTS = 200;
/**
 * A few seconds per dialect on an idle machine; the limit leaves room for a machine whose cores are
 * shared with other suites (every conflict costs round trips, and a loaded server has more).
 */
const CONTENTION_TIMEOUT_MS = 180_000;

describe.each(DIALECTS)('optimistic locking on %s', (dialect) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;
  // SQLite runs on a WAL file so that each worker can have a connection of its own.
  const dir = mkdtempSync(join(tmpdir(), 'tbr-locking-'));

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee], { sqlitePath: join(dir, 'locking.sqlite') });
  });
  afterAll(async () => {
    await db.dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    repo = new EmployeeRepository(db.dataSource);
    db.queries.reset();
  });

  /** The row as stored, read with plain SQL. */
  async function stored(id: number): Promise<Record<string, unknown>> {
    const q = (n: string) => db.dataSource.driver.escape(n);
    const rows: Record<string, unknown>[] = await db.dataSource.query(
      `SELECT * FROM employees WHERE ${q('id')} = ${dialect === 'postgres' ? '$1' : '?'}`,
      [id],
    );
    if (!rows[0]) throw new Error(`no row ${id}`);
    return rows[0];
  }

  async function salaryAndVersion(id: number): Promise<[number, number]> {
    const row = await stored(id);
    return [Number(row.salary), Number(row.version)];
  }

  /** `count` more DataSources on the same database, one connection each. */
  function openWorkers(count: number): Promise<DataSource[]> {
    const options = {
      ...db.dataSource.options,
      synchronize: false,
      dropSchema: false,
      logger: undefined,
      logging: false,
      poolSize: 1,
    } as DataSourceOptions;
    return Promise.all(Array.from({ length: count }, () => new DataSource(options).initialize()));
  }

  function sum(metrics: LockMetricsSnapshot[], key: keyof LockMetricsSnapshot): number {
    return metrics.reduce((total, m) => total + m[key], 0);
  }

  const newEmployee = (salary = 100) =>
    repo.create({ name: 'Ada', email: 'ada@example.com', department: 'eng', salary });

  /**
   * An updater that, on each of its first `times` calls, lets another writer change the row
   * between our read and our write, then returns `changes(current)`.
   */
  function interfering(
    times: number,
    interfere: (current: Employee) => Promise<unknown>,
    changes: (current: Employee) => UpdateEmployeeDto,
  ): { calls: number; updater: (current: Readonly<Employee>) => Promise<UpdateEmployeeDto> } {
    const state = {
      calls: 0,
      updater: async (current: Readonly<Employee>) => {
        state.calls++;
        if (state.calls <= times) await interfere(current);
        return changes(current);
      },
    };
    return state;
  }

  describe('under contention', () => {
    /** The guide's resolver for a counter: both sides' increments apply. */
    const increments = (_field: string, ours: unknown, theirs: unknown, base: unknown) =>
      Number(theirs) + Number(ours) - Number(base);

    it.each(['retry', 'merge'] as const)(
      `${WORKERS} workers × ${INCREMENTS} increments with '%s' lose none (merge with an incrementing resolver)`,
      async (strategy) => {
        const { id, version } = await newEmployee(0);
        const workers = await openWorkers(WORKERS);
        try {
          const repos = workers.map(
            (ds) =>
              new EmployeeRepository(ds, {
                locking: {
                  strategy,
                  maxRetries: 200,
                  retryDelayMs: 5,
                  maxRetryDelayMs: 50,
                },
              }),
          );
          await Promise.all(
            repos.map(async (r) => {
              for (let i = 0; i < INCREMENTS; i++) {
                await r.updateWithVersion(id, (c) => ({ salary: c.salary! + 1 }), {
                  resolve: strategy === 'merge' ? increments : undefined,
                });
              }
            }),
          );
          const total = WORKERS * INCREMENTS;
          expect(await salaryAndVersion(id)).toEqual([total, version + total]);
          const metrics = repos.map((r) => r.lockMetrics());
          expect(sum(metrics, 'totalOperations')).toBe(total);
          expect(sum(metrics, 'successfulOperations')).toBe(total);
          expect(sum(metrics, 'retriesExhausted')).toBe(0);
          // Every retry was caused by exactly one counted conflict, and there was contention.
          const retries = metrics.reduce((n, m) => n + m.avgRetryCount * m.totalOperations, 0);
          expect(Math.round(retries)).toBe(sum(metrics, 'versionConflicts'));
          expect(sum(metrics, 'versionConflicts')).toBeGreaterThan(0);
        } finally {
          await Promise.all(workers.map((ds) => ds.destroy()));
        }
      },
      CONTENTION_TIMEOUT_MS,
    );

    it(
      "with 'last-writer-wins' every write lands and bumps the version, and concurrent increments can be lost (its contract)",
      async () => {
        const { id, version } = await newEmployee(0);
        const workers = await openWorkers(WORKERS);
        const calls = 50;
        try {
          const repos = workers.map(
            (ds) => new EmployeeRepository(ds, { locking: { strategy: 'last-writer-wins' } }),
          );
          await Promise.all(
            repos.map(async (r) => {
              for (let i = 0; i < calls; i++) {
                await r.updateWithVersion(id, (c) => ({ salary: c.salary! + 1 }));
              }
            }),
          );
          const [salary, finalVersion] = await salaryAndVersion(id);
          // No check, no conflict: each of the writes ran; what one read and the next overwrote
          // is lost, which is what the strategy promises and the others prevent.
          expect(finalVersion).toBe(version + WORKERS * calls);
          expect(salary).toBeGreaterThan(0);
          expect(salary).toBeLessThanOrEqual(WORKERS * calls);
          const metrics = repos.map((r) => r.lockMetrics());
          expect(sum(metrics, 'versionConflicts')).toBe(0);
          expect(sum(metrics, 'successfulOperations')).toBe(WORKERS * calls);
        } finally {
          await Promise.all(workers.map((ds) => ds.destroy()));
        }
      },
      CONTENTION_TIMEOUT_MS,
    );

    it(
      "with 'fail-fast' raises and counts conflicts; the counter equals the successes",
      async () => {
        const { id, version } = await newEmployee(0);
        const workers = await openWorkers(WORKERS);
        const calls = 50;
        try {
          const repos = workers.map(
            (ds) => new EmployeeRepository(ds, { locking: { strategy: 'fail-fast' } }),
          );
          const outcomes = await Promise.all(
            repos.map(async (r) => {
              let succeeded = 0;
              let conflicts = 0;
              for (let i = 0; i < calls; i++) {
                try {
                  await r.updateWithVersion(id, (c) => ({ salary: c.salary! + 1 }));
                  succeeded++;
                } catch (error) {
                  if (!(error instanceof OptimisticLockError)) throw error;
                  expect(error.attempts).toBe(1);
                  conflicts++;
                }
              }
              return { succeeded, conflicts };
            }),
          );
          const succeeded = outcomes.reduce((n, o) => n + o.succeeded, 0);
          const conflicts = outcomes.reduce((n, o) => n + o.conflicts, 0);
          expect(succeeded + conflicts).toBe(WORKERS * calls);
          expect(conflicts).toBeGreaterThan(0);
          expect(await salaryAndVersion(id)).toEqual([succeeded, version + succeeded]);
          const metrics = repos.map((r) => r.lockMetrics());
          expect(sum(metrics, 'versionConflicts')).toBe(conflicts);
          expect(sum(metrics, 'successfulOperations')).toBe(succeeded);
          expect(sum(metrics, 'totalOperations')).toBe(WORKERS * calls);
          expect(sum(metrics, 'avgRetryCount')).toBe(0);
          const history = repos.flatMap((r) => r.conflictHistory());
          expect(history).toHaveLength(conflicts);
          for (const record of history) {
            expect(record).toEqual({
              entity: 'Employee',
              id,
              expected: expect.any(Number),
              actual: expect.any(Number),
              timestamp: expect.any(Date),
            });
            expect(record.actual).toBeGreaterThan(record.expected);
          }
        } finally {
          await Promise.all(workers.map((ds) => ds.destroy()));
        }
      },
      CONTENTION_TIMEOUT_MS,
    );
  });

  describe("'fail-fast' and 'retry'", () => {
    it("'fail-fast' throws the first conflict and writes nothing of ours", async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { department: 'ops' }),
        (c) => ({ salary: c.salary! + 1 }),
      );
      const error = await repo
        .updateWithVersion(id, run.updater, { strategy: 'fail-fast' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(OptimisticLockError);
      expect(error).toMatchObject({
        code: 'OPTIMISTIC_LOCK_CONFLICT',
        expectedVersion: version,
        actualVersion: version + 1,
        attempts: 1,
      });
      expect(run.calls).toBe(1);
      expect(await stored(id)).toMatchObject({ department: 'ops', salary: 100 });
      expect(repo.lockMetrics()).toEqual({
        totalOperations: 1,
        successfulOperations: 0,
        versionConflicts: 1,
        avgRetryCount: 0,
        retriesExhausted: 0,
        mergeConflicts: 0,
      });
    });

    it("'retry' re-reads, re-applies the updater to the fresh row and succeeds", async () => {
      const { id, version } = await newEmployee(100);
      const seen: number[] = [];
      const run = interfering(
        1,
        () => repo.update(id, { salary: 110 }),
        (c) => {
          seen.push(c.version);
          return { salary: c.salary! + 1 };
        },
      );
      const updated = await repo.updateWithVersion(id, run.updater, { retryDelayMs: 0 });
      expect(seen).toEqual([version, version + 1]);
      expect(updated).toMatchObject({ salary: 111, version: version + 2 });
      expect(await salaryAndVersion(id)).toEqual([111, version + 2]);
      expect(repo.lockMetrics()).toMatchObject({
        totalOperations: 1,
        successfulOperations: 1,
        versionConflicts: 1,
        avgRetryCount: 1,
      });
      expect(repo.conflictHistory()).toEqual([
        {
          entity: 'Employee',
          id,
          expected: version,
          actual: version + 1,
          timestamp: expect.any(Date),
        },
      ]);
    });

    it("'retry' gives up after maxRetries with the attempt count", async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        Infinity,
        (c) => repo.update(id, { salary: c.salary! + 10 }),
        (c) => ({ salary: c.salary! + 1 }),
      );
      const error = await repo
        .updateWithVersion(id, run.updater, { maxRetries: 2, retryDelayMs: 1 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(OptimisticLockError);
      expect(error.attempts).toBe(3);
      expect(error.message).toContain('after 3 attempts');
      expect(run.calls).toBe(3);
      // Only the three interfering writes landed.
      expect(await salaryAndVersion(id)).toEqual([130, version + 3]);
      expect(repo.lockMetrics()).toMatchObject({
        totalOperations: 1,
        successfulOperations: 0,
        versionConflicts: 3,
        avgRetryCount: 2,
        retriesExhausted: 1,
      });
    });

    it('validates the changes against the Update DTO and does not retry a validation failure', async () => {
      const { id } = await newEmployee(100);
      const before = await stored(id);
      let calls = 0;
      const negative = await repo
        .updateWithVersion(id, () => {
          calls++;
          return { salary: -5 };
        })
        .catch((e) => e);
      expect(negative).toBeInstanceOf(ValidationError);
      expect(calls).toBe(1);
      const managed = await repo
        .updateWithVersion(id, (c) => ({ version: c.version + 10 }) as UpdateEmployeeDto)
        .catch((e) => e);
      expect(managed).toBeInstanceOf(ValidationError);
      expect(managed.fields).toEqual([expect.objectContaining({ field: 'version' })]);
      expect(await stored(id)).toEqual(before);
      expect(repo.lockMetrics()).toMatchObject({ totalOperations: 2, versionConflicts: 0 });
    });

    it('re-reads past a stale cached row instead of retrying on it', async () => {
      // Two repositories with in-process caches of their own, as in two processes: the second
      // one's write does not evict the first one's cached copy.
      const cached = (store: LruCacheStore) =>
        new EmployeeRepository(db.dataSource, {
          cache: { store, warming: { trackUsage: false } },
        });
      const mine = cached(new LruCacheStore());
      const theirs = cached(new LruCacheStore());
      const { id, version } = await newEmployee(100);
      expect((await mine.findById(id))!.salary).toBe(100);
      await theirs.update(id, { salary: 200 });
      expect((await mine.findById(id))!.salary).toBe(100); // stale, as expected of this setup
      const seen: number[] = [];
      await mine.updateWithVersion(
        id,
        (c) => {
          seen.push(c.salary!);
          return { salary: c.salary! + 1 };
        },
        { maxRetries: 1, retryDelayMs: 0 },
      );
      expect(seen).toEqual([100, 200]);
      expect(await salaryAndVersion(id)).toEqual([201, version + 2]);
    });

    it('raises NotFoundError for a missing or soft-deleted row', async () => {
      const { id } = await newEmployee();
      await repo.delete(id);
      for (const missing of [id, 999_999]) {
        const error = await repo.updateWithVersion(missing, () => ({ salary: 1 })).catch((e) => e);
        expect(error).toBeInstanceOf(NotFoundError);
      }
      expect(Number((await stored(id)).salary)).toBe(100);
    });
  });

  describe("'merge'", () => {
    it('merges disjoint changes: theirs and ours both land', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { department: 'ops' }),
        () => ({ salary: 150 }),
      );
      const updated = await repo.updateWithVersion(id, run.updater, { strategy: 'merge' });
      expect(run.calls).toBe(1);
      expect(updated).toMatchObject({ department: 'ops', salary: 150, version: version + 2 });
      expect(await stored(id)).toMatchObject({
        name: 'Ada',
        department: 'ops',
        salary: 150,
        version: version + 2,
      });
    });

    it('keeps their value for a field the updater returned unchanged, even if it mutated the row', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { salary: 120 }),
        (c) => {
          const row = c as Employee; // a careless updater that edits the row it was given
          row.department = 'research';
          return { department: row.department, salary: row.salary };
        },
      );
      await repo.updateWithVersion(id, run.updater, { strategy: 'merge' });
      expect(await stored(id)).toMatchObject({
        department: 'research',
        salary: 120,
        version: version + 2,
      });
    });

    it('raises MergeConflictError naming the fields both sides changed, and writes nothing', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { salary: 120, name: 'Grace' }),
        () => ({ name: 'Ada L.', salary: 150, department: 'research' }),
      );
      const error = await repo
        .updateWithVersion(id, run.updater, { strategy: 'merge' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(MergeConflictError);
      expect(error.code).toBe('MERGE_CONFLICT');
      expect(error.fields).toEqual(['name', 'salary']);
      expect(await stored(id)).toMatchObject({
        name: 'Grace',
        salary: 120,
        department: 'eng',
        version: version + 1,
      });
      expect(repo.lockMetrics()).toMatchObject({
        totalOperations: 1,
        successfulOperations: 0,
        versionConflicts: 1,
        mergeConflicts: 1,
      });
    });

    it('lets resolve(field, ours, theirs) settle the overlapping fields', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { salary: 120, name: 'Grace' }),
        (c) => ({ name: 'Ada L.', salary: c.salary! + 50, department: 'research' }),
      );
      const resolved: string[] = [];
      await repo.updateWithVersion(id, run.updater, {
        strategy: 'merge',
        resolve: (field, ours, theirs, base) => {
          resolved.push(field);
          // Keep their name; apply both salary raises.
          return field === 'salary' ? Number(theirs) + Number(ours) - Number(base) : theirs;
        },
      });
      expect(resolved).toEqual(['name', 'salary']);
      expect(await stored(id)).toMatchObject({
        name: 'Grace',
        salary: 170,
        department: 'research',
        version: version + 2,
      });
    });

    it('two concurrent +10 deposits on 100 give 120 with an incrementing resolver, though both make 110', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { salary: 110 }), // their deposit
        (c) => ({ salary: c.salary! + 10 }), // ours
      );
      const result = await repo.updateWithVersion(id, run.updater, {
        strategy: 'merge',
        resolve: (_field, ours, theirs, base) => Number(theirs) + Number(ours) - Number(base),
      });
      expect(result).toMatchObject({ salary: 120, version: version + 2 });
      expect(await salaryAndVersion(id)).toEqual([120, version + 2]);
    });

    it('writes nothing when the newer row already holds our changes', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { salary: 150 }),
        () => ({ salary: 150 }),
      );
      const result = await repo.updateWithVersion(id, run.updater, { strategy: 'merge' });
      expect(result).toMatchObject({ salary: 150, version: version + 1 });
      expect(await salaryAndVersion(id)).toEqual([150, version + 1]);
      expect(repo.lockMetrics().successfulOperations).toBe(1);
    });
  });

  describe("'last-writer-wins'", () => {
    it('writes without a version check and still bumps the version', async () => {
      const { id, version } = await newEmployee(100);
      const run = interfering(
        1,
        () => repo.update(id, { salary: 120, department: 'ops' }),
        () => ({ salary: 200 }),
      );
      const updated = await repo.updateWithVersion(id, run.updater, {
        strategy: 'last-writer-wins',
      });
      expect(updated.version).toBe(version + 2);
      expect(await stored(id)).toMatchObject({
        salary: 200,
        department: 'ops',
        version: version + 2,
      });
      expect(repo.lockMetrics()).toMatchObject({ successfulOperations: 1, versionConflicts: 0 });
    });
  });

  describe('update(id, dto, { expectedVersion })', () => {
    it('changes nothing in the table when the version is stale, and counts the conflict', async () => {
      const { id, version } = await newEmployee(100);
      await repo.update(id, { salary: 110 });
      const before = await stored(id);
      const error = await repo
        .update(id, { salary: 999, name: 'Stale' }, { expectedVersion: version })
        .catch((e) => e);
      expect(error).toBeInstanceOf(OptimisticLockError);
      expect(error).toMatchObject({ expectedVersion: version, actualVersion: version + 1 });
      expect(await stored(id)).toEqual(before);
      // A clone on another manager shares the metrics.
      const clone = repo.withManager(db.dataSource.manager);
      await clone.update(id, { salary: 1 }, { expectedVersion: version }).catch(() => undefined);
      expect(repo.lockMetrics().versionConflicts).toBe(2);
      expect(repo.lockMetrics().totalOperations).toBe(0);
      expect(repo.conflictHistory(1)).toEqual([
        {
          entity: 'Employee',
          id,
          expected: version,
          actual: version + 1,
          timestamp: expect.any(Date),
        },
      ]);
      // A missing row is not a conflict.
      const missing = await repo
        .update(999_999, { salary: 1 }, { expectedVersion: 1 })
        .catch((e) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(repo.lockMetrics().versionConflicts).toBe(2);
    });

    it('a version conflict evicts the stale cached row, so an expectedVersion loop progresses', async () => {
      // Per-process caches, as in two processes: the other one's write leaves ours stale.
      const cached = () =>
        new EmployeeRepository(db.dataSource, {
          cache: { store: new LruCacheStore(), warming: { trackUsage: false } },
        });
      const mine = cached();
      const theirs = cached();
      const { id, version } = await newEmployee(100);
      await mine.findById(id);
      await theirs.update(id, { salary: 200 });
      let attempts = 0;
      for (;;) {
        attempts++;
        const current = (await mine.findById(id))!;
        const error = await mine
          .update(id, { salary: current.salary! + 1 }, { expectedVersion: current.version })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        if (error === undefined) break;
        expect(error).toBeInstanceOf(OptimisticLockError);
        if (attempts === 3) throw new Error('the loop kept reading the stale cached row');
      }
      expect(attempts).toBe(2);
      expect(await salaryAndVersion(id)).toEqual([201, version + 2]);
      // A missed update of a row deleted elsewhere evicts it too.
      await mine.findById(id);
      await theirs.delete(id);
      await expect(mine.update(id, { salary: 1 })).rejects.toBeInstanceOf(NotFoundError);
      expect(await mine.findById(id)).toBeNull();
    });

    it('never reports success for a stale write inside a transaction (snapshot reads)', async () => {
      const { id, version } = await newEmployee(100);
      const [other] = await openWorkers(1);
      try {
        const otherRepo = new EmployeeRepository(other!);
        const error = await db.dataSource
          .transaction(async (manager) => {
            const tx = repo.withManager(manager);
            const seen = await tx.findById(id); // on MySQL/MariaDB this fixes the snapshot
            await otherRepo.update(id, { salary: 200 });
            return tx.update(id, { salary: 300 }, { expectedVersion: seen!.version });
          })
          .catch((e) => e);
        // MySQL's REPEATABLE READ and PostgreSQL's READ COMMITTED: a version conflict; SQLite
        // refuses to write from a stale read snapshot (SQLITE_BUSY_SNAPSHOT).
        expect(
          error instanceof OptimisticLockError || error instanceof TransientDatabaseError,
        ).toBe(true);
        expect(await salaryAndVersion(id)).toEqual([200, version + 1]);
      } finally {
        await other!.destroy();
      }
    });
  });

  describe('conflictHistory', () => {
    it('keeps the latest conflictHistorySize conflicts, newest first', async () => {
      repo = new EmployeeRepository(db.dataSource, { locking: { conflictHistorySize: 3 } });
      const { id, version } = await newEmployee(100);
      for (let i = 0; i < 5; i++) await repo.update(id, { salary: 101 + i });
      for (let stale = version; stale < version + 5; stale++) {
        await repo.update(id, { salary: 1 }, { expectedVersion: stale }).catch(() => undefined);
      }
      expect(repo.lockMetrics().versionConflicts).toBe(5);
      const expected = (h: { expected: number }[]) => h.map((r) => r.expected);
      expect(expected(repo.conflictHistory())).toEqual([version + 4, version + 3, version + 2]);
      expect(expected(repo.conflictHistory(2))).toEqual([version + 4, version + 3]);
      expect(repo.conflictHistory(0)).toEqual([]);
      expect(repo.conflictHistory().every((r) => r.actual === version + 5)).toBe(true);
      expect(Number((await stored(id)).salary)).toBe(105);
    });

    it('keeps none with conflictHistorySize 0, but still counts', async () => {
      repo = new EmployeeRepository(db.dataSource, { locking: { conflictHistorySize: 0 } });
      const { id, version } = await newEmployee(100);
      await repo.update(id, { salary: 1 });
      await repo.update(id, { salary: 2 }, { expectedVersion: version }).catch(() => undefined);
      expect(repo.conflictHistory()).toEqual([]);
      expect(repo.lockMetrics().versionConflicts).toBe(1);
    });
  });

  describe('options', () => {
    it('refuses a bad locking config in the constructor, naming the option', () => {
      const bad = [
        [{ maxRetries: -1 }, 'locking.maxRetries'],
        [{ strategy: 'optimistic' }, 'locking.strategy'],
        [{ jitter: 2 }, 'locking.jitter'],
        [{ backoffMultiplier: 0.5 }, 'locking.backoffMultiplier'],
        [{ conflictHistorySize: 1.5 }, 'locking.conflictHistorySize'],
      ] as const;
      for (const [locking, option] of bad) {
        let error: unknown;
        try {
          new EmployeeRepository(db.dataSource, { locking: locking as never });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(LockingOptionError);
        expect(error).toMatchObject({ code: 'INVALID_LOCKING_OPTION', option });
      }
    });

    it('refuses bad call options before any SQL', async () => {
      const { id } = await newEmployee();
      db.queries.reset();
      const calls = [
        repo.updateWithVersion(id, () => ({}), { strategy: 'eventually' as never }),
        repo.updateWithVersion(id, () => ({}), { retryDelayMs: -1 }),
        repo.updateWithVersion(id, 'salary' as never),
      ];
      for (const call of calls) {
        await expect(call).rejects.toBeInstanceOf(LockingOptionError);
      }
      expect(db.queries.count).toBe(0);
      expect(() => repo.conflictHistory(-1)).toThrow(LockingOptionError);
    });
  });
});

describe('backoffDelay', () => {
  const settings = { retryDelayMs: 10, backoffMultiplier: 2, maxRetryDelayMs: 50, jitter: 0 };

  it('grows exponentially up to the cap without jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, settings))).toEqual([10, 20, 40, 50, 50]);
  });

  it('draws the jitter fraction of the ceiling at random', () => {
    const full = { ...settings, jitter: 1 };
    expect(backoffDelay(3, full, () => 0)).toBe(40);
    expect(backoffDelay(3, full, () => 0.75)).toBe(10);
    expect(backoffDelay(3, { ...settings, jitter: 0.5 }, () => 0.5)).toBe(30);
  });
});

describe('ConflictHistory', () => {
  const record = (expected: number) => ({
    entity: 'E',
    id: 1,
    expected,
    actual: expected + 1,
    timestamp: new Date(0),
  });

  it('returns up to capacity records newest first, before and after wrapping', () => {
    const history = new ConflictHistory(3);
    expect(history.latest()).toEqual([]);
    history.push(record(1));
    history.push(record(2));
    expect(history.latest().map((r) => r.expected)).toEqual([2, 1]);
    for (let i = 3; i <= 7; i++) history.push(record(i));
    expect(history.latest().map((r) => r.expected)).toEqual([7, 6, 5]);
    expect(history.latest(10).map((r) => r.expected)).toEqual([7, 6, 5]);
    expect(history.latest(1).map((r) => r.expected)).toEqual([7]);
  });
});
