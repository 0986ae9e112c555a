import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import {
  adapterFor,
  dataSourceOptionsFromUrl,
  LruCacheStore,
  TransactionOptionError,
  TransientDatabaseError,
  ValidationError,
  withTransaction,
  type DialectName,
  type EntityEvent,
  type IsolationLevel,
} from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS, itWhere, SQLITE_DRIVER } from '../support/servers';

/** A promise with its resolve function, to make two transactions wait for each other. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const dto = (name: string) => ({
  name,
  email: `${name}@example.com`,
  department: 'eng',
  salary: 0,
});

const SERVERS = DIALECTS.filter((d): d is Exclude<DialectName, 'sqlite'> => d !== 'sqlite');

/** The employees table through plain SQL on any connection (`on`: a DataSource or a manager). */
function tableHelpers(dataSource: DataSource) {
  const p = (i: number) => adapterFor(dataSource).syntax.placeholder(i);
  return {
    p,
    async names(on: DataSource | EntityManager = dataSource): Promise<string[]> {
      const rows: { name: string }[] = await on.query('SELECT name FROM employees ORDER BY name');
      return rows.map((r) => r.name);
    },
    async count(on: DataSource | EntityManager = dataSource): Promise<number> {
      const [row] = (await on.query('SELECT COUNT(*) AS n FROM employees')) as { n: unknown }[];
      return Number(row!.n);
    },
    insert(on: DataSource | EntityManager, name: string): Promise<unknown> {
      return on.query(`INSERT INTO employees (name, email, version) VALUES (${p(0)}, ${p(1)}, 1)`, [
        name,
        `${name}@example.com`,
      ]);
    },
    bump(on: EntityManager, id: number, by: number): Promise<unknown> {
      return on.query(`UPDATE employees SET salary = salary + ${p(0)} WHERE id = ${p(1)}`, [
        by,
        id,
      ]);
    },
    async salaries(): Promise<number[]> {
      const rows: { salary: unknown }[] = await dataSource.query(
        'SELECT salary FROM employees ORDER BY id',
      );
      return rows.map((r) => Number(r.salary));
    },
  };
}

describe.each(DIALECTS)('transactions on %s', (dialect) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;
  let table: ReturnType<typeof tableHelpers>;
  let created: string[];

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
    table = tableHelpers(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    repo = new EmployeeRepository(db.dataSource);
    created = [];
    repo.on('created', (e: EntityEvent<Employee>) => created.push(e.record.name));
    db.queries.reset();
  });

  it('commits: the rows are in the table afterwards, and events fire after the callback returned', async () => {
    let returned = false;
    const firedAfterReturn: boolean[] = [];
    repo.on('created', () => firedAfterReturn.push(returned));
    const result = await repo.transaction(async (tx) => {
      await tx.create(dto('ada'));
      await tx.create(dto('bob'));
      expect(await table.count()).toBe(dialect === 'sqlite' ? 2 : 0); // SQLite: one connection
      expect(created).toEqual([]);
      returned = true;
      return 'done';
    });
    expect(result).toBe('done');
    expect(await table.names()).toEqual(['ada', 'bob']);
    expect(created).toEqual(['ada', 'bob']);
    expect(firedAfterReturn).toEqual([true, true]);
  });

  it('a subclass with #private fields and custom methods works inside transaction() and withManager() (no "Cannot read private member")', async () => {
    class AuditedRepository extends EmployeeRepository {
      readonly #hired: string[] = [];
      #calls = 0;
      async hire(name: string): Promise<Employee> {
        this.#calls++;
        const row = await this.create(dto(name));
        this.#hired.push(row.name);
        return row;
      }
      static audit(repo: AuditedRepository): { hired: string[]; calls: number } {
        return { hired: [...repo.#hired], calls: repo.#calls };
      }
    }
    const audited = new AuditedRepository(db.dataSource);
    await audited.transaction(async (tx) => {
      await tx.hire('ada');
      expect(AuditedRepository.audit(tx).hired).toEqual(['ada']);
      await tx.transaction((inner) => inner.hire('bob')); // nested: a savepoint
    });
    await withTransaction(db.dataSource, async (manager) => {
      const bound = audited.withManager(manager);
      await bound.hire('cy');
      expect(bound).toBeInstanceOf(AuditedRepository);
      expect(bound.on('created', () => undefined)).toBe(bound);
    });
    await expect(
      audited.transaction(async (tx) => {
        await tx.hire('dan');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    // One object throughout: its private state saw every call, the table only the committed ones.
    expect(AuditedRepository.audit(audited)).toEqual({
      hired: ['ada', 'bob', 'cy', 'dan'],
      calls: 4,
    });
    expect(await table.names()).toEqual(['ada', 'bob', 'cy']);
  });

  it('a repository bound inside transaction() writes in the transaction, and outside it does not', async () => {
    let seenOutside = -1;
    await withTransaction(db.dataSource, async (manager) => {
      await repo.withManager(manager).create(dto('ada'));
      // Another connection (TypeORM's own repository; SQLite has only one).
      if (dialect !== 'sqlite') seenOutside = await db.dataSource.getRepository(Employee).count();
    });
    if (dialect !== 'sqlite') expect(seenOutside).toBe(0);
    expect(await repo.count()).toBe(1);
  });

  it('withTransaction commits what repositories bound to its manager and raw SQL wrote', async () => {
    await withTransaction(db.dataSource, async (manager) => {
      await repo.withManager(manager).create(dto('ada'));
      await table.insert(manager, 'raw');
    });
    expect(await table.names()).toEqual(['ada', 'raw']);
    expect(created).toEqual(['ada']);
  });

  it('rollback: a callback that throws leaves no rows and fires no events; its error passes unchanged', async () => {
    const boom = new Error('abort');
    let runs = 0;
    await expect(
      repo.transaction(async (tx) => {
        runs++;
        await tx.create(dto('ada'));
        await tx.bulkCreate([dto('bob'), dto('cy')]);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(runs).toBe(1);
    expect(await table.count()).toBe(0);
    expect(created).toEqual([]);
  });

  it('the cache: a rollback leaves it untouched, a commit invalidates after COMMIT', async () => {
    const cachedRepo = new EmployeeRepository(db.dataSource, {
      cache: { store: new LruCacheStore({ max: 100 }), ttlSeconds: 60 },
    });
    const { id } = await cachedRepo.create(dto('ada'));
    await cachedRepo.findById(id); // fills the cache
    const before = cachedRepo.cacheMetrics()!.invalidations;
    await expect(
      cachedRepo.transaction(async (tx) => {
        await tx.update(id, { name: 'rolled-back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(cachedRepo.cacheMetrics()!.invalidations).toBe(before);
    db.queries.reset();
    expect((await cachedRepo.findById(id))!.name).toBe('ada');
    expect(db.queries.count).toBe(0); // still served from the cache
    await cachedRepo.transaction(async (tx) => {
      await tx.update(id, { name: 'committed' });
      expect(cachedRepo.cacheMetrics()!.invalidations).toBe(before);
    });
    expect(cachedRepo.cacheMetrics()!.invalidations).toBeGreaterThan(before);
    expect((await cachedRepo.findById(id))!.name).toBe('committed');
  });

  it('a typed error from the callback is not retried', async () => {
    let runs = 0;
    const error = await repo
      .transaction(async (tx) => {
        runs++;
        await tx.create(dto('ada'));
        await tx.create({ name: '', email: 'not an email' } as ReturnType<typeof dto>);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(runs).toBe(1);
    expect(await table.count()).toBe(0);
  });

  it('nested: an inner transaction that throws rolls back only its savepoint', async () => {
    const boom = new Error('inner abort');
    await withTransaction(db.dataSource, async (manager) => {
      const tx = repo.withManager(manager);
      await tx.create(dto('outer'));
      await expect(
        tx.transaction(async (inner) => {
          await inner.create(dto('undone'));
          throw boom;
        }),
      ).rejects.toBe(boom);
      await tx.transaction((inner) => inner.create(dto('kept')));
      // The free function nests the same way when given the transaction's manager.
      await expect(
        withTransaction(manager, async (inner) => {
          await repo.withManager(inner).create(dto('undone2'));
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(created).toEqual([]);
    });
    expect(await table.names()).toEqual(['kept', 'outer']);
    expect(created).toEqual(['outer', 'kept']);
  });

  it('only the outermost transaction retries: a transient error in a nested one re-runs the whole', async () => {
    const runs = { outer: 0, inner: 0 };
    await repo.transaction(
      async (tx) => {
        runs.outer++;
        await tx.create(dto(`outer${runs.outer}`));
        await tx.transaction(async (inner) => {
          runs.inner++;
          await inner.create(dto(`inner${runs.inner}`));
          // A transient error thrown on purpose: what a deadlock inside the savepoint raises.
          if (runs.outer === 1) {
            throw new TransientDatabaseError('DEADLOCK', 'not-applied', 'deadlock');
          }
        });
      },
      { retry: { maxRetries: 3, initialDelayMs: 0 } },
    );
    expect(runs).toEqual({ outer: 2, inner: 2 });
    expect(await table.names()).toEqual(['inner2', 'outer2']);
    expect(created).toEqual(['outer2', 'inner2']);
  });

  it('refuses a nested isolation level other than the outer one, before any SQL', async () => {
    await repo.transaction(
      async (tx) => {
        await tx.transaction(() => Promise.resolve(), { isolationLevel: 'SERIALIZABLE' });
        const error = await tx
          .transaction(() => Promise.resolve(), { isolationLevel: 'READ UNCOMMITTED' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TransactionOptionError);
        expect(error).toMatchObject({
          code: 'INVALID_TRANSACTION_OPTION',
          option: 'isolationLevel',
        });
      },
      { isolationLevel: 'SERIALIZABLE' },
    );
  });

  it('refuses bad options before any SQL', async () => {
    let runs = 0;
    const work = () => {
      runs++;
      return Promise.resolve();
    };
    const cases: [Parameters<typeof withTransaction>[2], string][] = [
      [{ isolationLevel: 'SNAPSHOT' as IsolationLevel }, 'isolationLevel'],
      [{ retry: { maxRetries: -1 } }, 'retry.maxRetries'],
      [{ retry: { maxRetries: 1.5 } }, 'retry.maxRetries'],
      [{ retry: { initialDelayMs: Number.NaN } }, 'retry.initialDelayMs'],
      [{ retry: { exponentialBase: 0.5 } }, 'retry.exponentialBase'],
      [{ retry: { jitter: 2 } }, 'retry.jitter'],
    ];
    for (const [options, option] of cases) {
      const error = await withTransaction(db.dataSource, work, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionOptionError);
      expect(error).toMatchObject({ code: 'INVALID_TRANSACTION_OPTION', option });
    }
    expect(runs).toBe(0);
    expect(db.queries.count).toBe(0);
    expect(() => new EmployeeRepository(db.dataSource, { retry: { maxDelayMs: -1 } })).toThrow(
      expect.objectContaining({ option: 'retry.maxDelayMs' }),
    );
  });

  itWhere(dialect === 'sqlite')(
    'SQLite refuses REPEATABLE READ (it has only SERIALIZABLE and READ UNCOMMITTED)',
    async () => {
      const error = await withTransaction(db.dataSource, () => Promise.resolve(), {
        isolationLevel: 'REPEATABLE READ',
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_TRANSACTION_OPTION', option: 'isolationLevel' });
      expect(db.queries.count).toBe(0);
    },
  );

  itWhere(dialect !== 'sqlite')(
    'applies SERIALIZABLE, as the server reports it (skipped on SQLite: always serializable, nothing to read back)',
    async () => {
      const level = await withTransaction(
        db.dataSource,
        async (manager) => {
          // MariaDB has no variable for the current transaction's level; InnoDB lists it once
          // the transaction has read something.
          const [row] = (await manager.query(
            dialect === 'postgres'
              ? 'SHOW transaction_isolation'
              : 'SELECT COUNT(*) AS n FROM employees',
          )) as Record<string, string>[];
          if (dialect === 'postgres') return row!.transaction_isolation;
          // INNODB_TRX is a cache InnoDB refreshes at most every 100 ms: ask until it lists us.
          for (let attempt = 0; attempt < 40; attempt++) {
            const [trx] = (await manager.query(
              'SELECT trx_isolation_level AS level FROM information_schema.innodb_trx ' +
                'WHERE trx_mysql_thread_id = CONNECTION_ID()',
            )) as { level: string }[];
            if (trx) return trx.level;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          return undefined;
        },
        { isolationLevel: 'SERIALIZABLE' },
      );
      expect(level?.toUpperCase()).toBe('SERIALIZABLE');
    },
  );

  // The server's default differs (PostgreSQL READ COMMITTED, MariaDB REPEATABLE READ), so one of
  // the two cases fails on each server if the level were not applied.
  itWhere(dialect !== 'sqlite').each<[IsolationLevel, number]>([
    ['READ COMMITTED', 1],
    ['REPEATABLE READ', 0],
  ])(
    `%s: a row committed meanwhile by another connection shows up %d times (skipped on SQLite: one connection, nothing concurrent)`,
    async (isolationLevel, visible) => {
      await withTransaction(
        db.dataSource,
        async (manager) => {
          const before = await table.count(manager);
          await table.insert(db.dataSource, 'meanwhile'); // autocommit, another pooled connection
          expect((await table.count(manager)) - before).toBe(visible);
        },
        { isolationLevel },
      );
    },
  );
});

describe.each(SERVERS)('transient errors on %s', (dialect) => {
  let db: TestDataSource;
  let table: ReturnType<typeof tableHelpers>;
  let ids: [number, number];

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
    table = tableHelpers(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    const repo = new EmployeeRepository(db.dataSource);
    const a = await repo.create(dto('a'));
    const b = await repo.create(dto('b'));
    ids = [a.id, b.id];
  });

  /**
   * Two transactions that lock rows a and b in opposite order, each waiting (on its first run)
   * until the other holds its first row: a real deadlock, which the server breaks by rolling one
   * back. `first` adds 1 to both rows, `second` adds 10.
   */
  function deadlock(retry: { maxRetries: number }) {
    const runs = { first: 0, second: 0 };
    const firstHoldsA = deferred();
    const secondHoldsB = deferred();
    const [a, b] = ids;
    const first = withTransaction(
      db.dataSource,
      async (manager) => {
        runs.first++;
        await table.bump(manager, a, 1);
        if (runs.first === 1) {
          firstHoldsA.resolve();
          await secondHoldsB.promise;
        }
        await table.bump(manager, b, 1);
      },
      { retry },
    );
    const second = withTransaction(
      db.dataSource,
      async (manager) => {
        runs.second++;
        await table.bump(manager, b, 10);
        if (runs.second === 1) {
          secondHoldsB.resolve();
          await firstHoldsA.promise;
        }
        await table.bump(manager, a, 10);
      },
      { retry },
    );
    return { runs, outcomes: Promise.allSettled([first, second]) };
  }

  it('retries the victim of a real deadlock: both effects land exactly once', async () => {
    const { runs, outcomes } = deadlock({ maxRetries: 3 });
    expect((await outcomes).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect([runs.first, runs.second].sort()).toEqual([1, 2]); // the victim ran twice
    expect(await table.salaries()).toEqual([11, 11]);
  });

  it('with maxRetries 0 the deadlock surfaces as TransientDatabaseError DEADLOCK, not applied', async () => {
    const { runs, outcomes } = deadlock({ maxRetries: 0 });
    const settled = await outcomes;
    const rejected = settled.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const error = (rejected[0] as PromiseRejectedResult).reason as unknown;
    expect(error).toBeInstanceOf(TransientDatabaseError);
    expect(error).toMatchObject({ code: 'DEADLOCK', outcome: 'not-applied' });
    expect(runs).toEqual({ first: 1, second: 1 });
    // Only the survivor's increments are in the table.
    const survivor = settled[0]!.status === 'fulfilled' ? 1 : 10;
    expect(await table.salaries()).toEqual([survivor, survivor]);
  });

  it('gives up after maxRetries and throws the last transient error (a lock held elsewhere, NOWAIT)', async () => {
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`UPDATE employees SET salary = 5 WHERE id = ${table.p(0)}`, [ids[0]]);
      let runs = 0;
      const error = await withTransaction(
        db.dataSource,
        async (manager) => {
          runs++;
          await table.insert(manager, `attempt${runs}`);
          await manager.query(
            `SELECT id FROM employees WHERE id = ${table.p(0)} FOR UPDATE NOWAIT`,
            [ids[0]],
          );
        },
        { retry: { maxRetries: 2, initialDelayMs: 1 } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDatabaseError);
      expect(error).toMatchObject({ code: 'LOCK_TIMEOUT', outcome: 'not-applied' });
      expect(runs).toBe(3);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    expect(await table.names()).toEqual(['a', 'b']); // no attempt left a row behind
  });

  // COMMIT right after the kill finds the socket closed as it sends it, or (after the driver saw
  // the close) is refused unsent: PostgreSQL's runner has released itself, mysql2 is in its
  // closed state. Both are a COMMIT without an answer.
  it.each(['right after the kill', 'once the driver saw the connection close'])(
    'a connection lost at COMMIT (sent %s) surfaces as outcome unknown, is not retried, and the pool recovers',
    async (when) => {
      let runs = 0;
      const error = await withTransaction(
        db.dataSource,
        async (manager) => {
          runs++;
          await table.insert(manager, 'doomed');
          const [row] = (await manager.query(
            dialect === 'postgres'
              ? 'SELECT pg_backend_pid() AS id'
              : 'SELECT CONNECTION_ID() AS id',
          )) as { id: unknown }[];
          const id = Number(row!.id);
          const connection = (
            manager.queryRunner as unknown as { databaseConnection: EventEmitter }
          ).databaseConnection;
          // The event after which each driver refuses to send anything more.
          const closed = new Promise((resolve) =>
            connection.once(dialect === 'postgres' ? 'end' : 'error', resolve),
          );
          // From another connection, end this transaction's connection; COMMIT comes next.
          await db.dataSource.query(
            dialect === 'postgres'
              ? `SELECT pg_terminate_backend(${table.p(0)}, 5000)`
              : `KILL ${table.p(0)}`,
            [id],
          );
          if (when !== 'right after the kill') await closed;
        },
        { retry: { maxRetries: 3, initialDelayMs: 0 } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDatabaseError);
      expect(error).toMatchObject({ code: 'CONNECTION_LOST', outcome: 'unknown' });
      expect(runs).toBe(1);
      // The pool replaces the dead connection: several statements at once all succeed.
      const ones = await Promise.all(
        Array.from({ length: 5 }, () => db.dataSource.query('SELECT 1 AS one')),
      );
      expect(ones.map((r: { one: unknown }[]) => Number(r[0]!.one))).toEqual([1, 1, 1, 1, 1]);
      expect(await table.names()).toEqual(['a', 'b']); // in fact the COMMIT never reached the server
      await withTransaction(db.dataSource, (manager) => table.insert(manager, 'after'));
      expect(await table.names()).toEqual(['a', 'after', 'b']);
    },
  );

  it('a repository call on a transaction whose idle connection was killed is CONNECTION_LOST, outcome unknown (not "Query runner already released")', async () => {
    const repo = new EmployeeRepository(db.dataSource);
    const error = await repo
      .transaction(async (tx) => {
        await tx.update(ids[0], { salary: 7 });
        const [row] = (await tx.query(
          dialect === 'postgres' ? 'SELECT pg_backend_pid() AS id' : 'SELECT CONNECTION_ID() AS id',
        )) as { id: unknown }[];
        // The connection the repository is bound to (its protected context, inside the callback).
        const { manager } = (tx as unknown as { context: { manager: EntityManager } }).context;
        const connection = (manager.queryRunner as unknown as { databaseConnection: EventEmitter })
          .databaseConnection;
        const closed = new Promise((resolve) =>
          connection.once(dialect === 'postgres' ? 'end' : 'error', resolve),
        );
        // The transaction sits idle while another connection ends it.
        await db.dataSource.query(
          dialect === 'postgres'
            ? `SELECT pg_terminate_backend(${table.p(0)}, 5000)`
            : `KILL ${table.p(0)}`,
          [Number(row!.id)],
        );
        await closed;
        await tx.update(ids[1], { salary: 8 });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDatabaseError);
    expect(error).toMatchObject({ code: 'CONNECTION_LOST', outcome: 'unknown' });
    expect(await table.salaries()).toEqual([0, 0]); // the server rolled the transaction back
  });

  itWhere(dialect === 'postgres')(
    'retries a serialization failure raised by COMMIT (PostgreSQL SERIALIZABLE write skew)',
    async () => {
      // Two on-call rows; each transaction goes off call if the other is still on: write skew.
      await db.dataSource.query('UPDATE employees SET active = true');
      const runs = { first: 0, second: 0 };
      const returned = { first: 0, second: 0 };
      const read = { first: deferred(), second: deferred() };
      const wrote = { first: deferred(), second: deferred() };
      const firstCommitted = deferred();
      const goOffCall = (who: 'first' | 'second', other: 'first' | 'second', id: number) =>
        withTransaction(
          db.dataSource,
          async (manager) => {
            runs[who]++;
            const onCall = Number(
              (
                (await manager.query('SELECT COUNT(*) AS n FROM employees WHERE active')) as {
                  n: unknown;
                }[]
              )[0]!.n,
            );
            if (runs[who] === 1) {
              read[who].resolve();
              await read[other].promise;
            }
            if (onCall >= 2) {
              await manager.query(`UPDATE employees SET active = false WHERE id = $1`, [id]);
            }
            if (runs[who] === 1) {
              wrote[who].resolve();
              await wrote[other].promise;
              if (who === 'second') await firstCommitted.promise;
            }
            returned[who]++;
          },
          { isolationLevel: 'SERIALIZABLE', retry: { maxRetries: 3, initialDelayMs: 0 } },
        );
      const first = goOffCall('first', 'second', ids[0]).then(firstCommitted.resolve);
      await Promise.all([first, goOffCall('second', 'first', ids[1])]);
      // The second's callback returned on its first run, so its COMMIT failed and was retried.
      expect(runs).toEqual({ first: 1, second: 2 });
      expect(returned).toEqual({ first: 1, second: 2 });
      const active: { active: boolean }[] = await db.dataSource.query(
        'SELECT active FROM employees ORDER BY id',
      );
      expect(active.map((r) => r.active)).toEqual([false, true]);
    },
  );

  itWhere(dialect === 'mysql')(
    "retries MariaDB's snapshot-isolation write conflict (ER_CHECKREAD) as a serialization failure",
    async () => {
      const [a] = ids;
      let runs = 0;
      await withTransaction(
        db.dataSource,
        async (manager) => {
          runs++;
          await table.count(manager); // the snapshot is taken here
          if (runs === 1) {
            await db.dataSource.query('UPDATE employees SET salary = salary + 1 WHERE id = ?', [a]);
          }
          await manager.query(
            'SET STATEMENT innodb_snapshot_isolation = ON FOR ' +
              'UPDATE employees SET salary = salary + 10 WHERE id = ?',
            [a],
          );
        },
        { retry: { maxRetries: 3, initialDelayMs: 0 } },
      );
      expect(runs).toBe(2);
      expect(await table.salaries()).toEqual([11, 0]);
    },
  );
});

describe('SQLite: one file, two DataSources, and one DataSource shared', () => {
  if (!DIALECTS.includes('sqlite')) return;
  let dir: string;
  let db: TestDataSource;
  let other: DataSource;
  let table: ReturnType<typeof tableHelpers>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tbrtx-'));
    const file = join(dir, 'busy.sqlite');
    db = await openDataSource('sqlite', [Employee], { sqlitePath: file });
    // better-sqlite3 waits for a lock synchronously, blocking the event loop (and so the holder,
    // in this same process) for the whole busy timeout; 1 ms makes it fail fast. The same driver
    // as `db`'s: two copies of SQLite in one process do not see each other's file locks.
    other = new DataSource({
      ...dataSourceOptionsFromUrl(`sqlite:${file}`, { SQLITE_BUSY_TIMEOUT_MS: '1', SQLITE_DRIVER }),
      entities: [Employee],
    });
    await other.initialize();
    table = tableHelpers(db.dataSource);
  });
  afterAll(async () => {
    await other.destroy();
    await db.dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => db.dataSource.query('DELETE FROM employees'));

  it('retries SQLITE_BUSY: the second writer succeeds once the first commits', async () => {
    const holder = db.dataSource.createQueryRunner();
    await holder.startTransaction();
    await table.insert(holder.manager, 'first');
    let runs = 0;
    await withTransaction(
      other,
      async (manager) => {
        runs++;
        // The first run met the write lock (SQLITE_BUSY); let the holder commit before this one writes.
        if (runs === 2) await holder.commitTransaction();
        await table.insert(manager, 'second');
      },
      { retry: { maxRetries: 3, initialDelayMs: 0 } },
    );
    expect(runs).toBe(2);
    expect(await table.names()).toEqual(['first', 'second']);
  });

  it('gives up after maxRetries with TransientDatabaseError DATABASE_BUSY while the lock is held', async () => {
    const holder = db.dataSource.createQueryRunner();
    await holder.startTransaction();
    try {
      await table.insert(holder.manager, 'holder');
      let runs = 0;
      const error = await withTransaction(
        other,
        async (manager) => {
          runs++;
          await table.insert(manager, `attempt${runs}`);
        },
        { retry: { maxRetries: 2, initialDelayMs: 0 } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDatabaseError);
      expect(error).toMatchObject({ code: 'DATABASE_BUSY', outcome: 'not-applied' });
      expect(runs).toBe(3);
    } finally {
      await holder.rollbackTransaction();
    }
    expect(await table.count()).toBe(0);
  });

  it('transactions on one DataSource take turns on its single connection', async () => {
    const repo = new EmployeeRepository(db.dataSource);
    const created: string[] = [];
    repo.on('created', (e: EntityEvent<Employee>) => created.push(e.record.name));
    const firstOpen = deferred();
    const letFirstFail = deferred();
    const boom = new Error('first fails');
    const first = repo.transaction(async (tx) => {
      await tx.create(dto('first'));
      firstOpen.resolve();
      await letFirstFail.promise;
      throw boom;
    });
    await firstOpen.promise;
    // Started while the first is open: without turns it would become the first's savepoint and
    // vanish in its rollback.
    const second = repo.transaction((tx) => tx.create(dto('second')));
    letFirstFail.resolve();
    await expect(first).rejects.toBe(boom);
    await second;
    expect(await table.names()).toEqual(['second']);
    expect(created).toEqual(['second']);
  });

  it("withTransaction(dataSource, { propagation: 'nested' }) inside a callback nests on the shared connection instead of waiting forever", async () => {
    await withTransaction(db.dataSource, async (manager) => {
      await table.insert(manager, 'outer');
      await expect(
        withTransaction(
          db.dataSource,
          async (inner) => {
            await table.insert(inner, 'inner');
            throw new Error('inner');
          },
          { propagation: 'nested' },
        ),
      ).rejects.toThrow('inner');
    });
    expect(await table.names()).toEqual(['outer']);
  });
});
