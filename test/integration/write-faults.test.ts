import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { BulkWriteIncompleteError, LruCacheStore, TransientDatabaseError } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { TcpProxy } from '../support/tcp-proxy';
import { TARGETS } from '../support/servers';

/**
 * Writes stopped part-way by the database: each call says what it stored, what is in doubt and
 * what it did not store, and the cache never keeps what the call may have changed.
 */

const person = (i: number) => ({ name: `Person ${i}`, email: `p${i}@example.com`, salary: i });
const indexOf = (email: string) => Number(/^p(\d+)@/.exec(email)![1]);

/** The options of `db`'s DataSource for a second DataSource on the same schema, with `extra`. */
function sameDatabase(db: TestDataSource, extra: Record<string, unknown> = {}): DataSourceOptions {
  const options: Record<string, unknown> = { ...db.dataSource.options };
  for (const key of ['entities', 'logger', 'synchronize', 'dropSchema']) delete options[key];
  return { ...options, ...extra } as unknown as DataSourceOptions;
}

async function storedIndices(dataSource: DataSource): Promise<number[]> {
  const rows = await dataSource.getRepository(Employee).find({ select: { email: true } });
  return rows.map((r) => indexOf(r.email)).sort((a, b) => a - b);
}

/** Checks an interrupted call's report against the table: what it says stored is stored, etc. */
function expectHonest(
  progress: BulkWriteIncompleteError['progress'],
  inTable: readonly number[],
  total: number,
) {
  const table = new Set(inTable);
  const stored = new Set(progress.storedIndices);
  const unknown = new Set(progress.unknownIndices);
  const refused = new Set(progress.errors.map((e) => e.index));
  for (const i of progress.storedIndices) expect(table.has(i)).toBe(true);
  // Every stored row was reported stored or in doubt; nothing refused is stored.
  const unreported = inTable.filter((i) => !stored.has(i) && !unknown.has(i));
  expect(unreported).toEqual([]);
  for (const i of refused) expect(table.has(i!)).toBe(false);
  expect(progress.successCount).toBe(progress.storedIndices.length);
  expect(progress.storedIndices.length).toBeLessThan(total);
}

describe.each(TARGETS.filter((t) => t !== 'sqlite'))(
  'bulkCreate with its connections killed on %s',
  (dialect) => {
    let db: TestDataSource;
    beforeAll(async () => {
      db = await openDataSource(dialect, [Employee]);
    });
    afterAll(() => db.dataSource.destroy());

    /**
     * Kills every connection of the child's that runs an INSERT into employees. Only in this
     * worker's database: other workers insert into their own employees tables at the same time.
     */
    async function killInserts(): Promise<number> {
      if (db.dialect === 'postgres') {
        const killed = (await db.dataSource.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'tbr-kill-child' AND datname = current_database()
            AND query LIKE 'INSERT INTO%'`,
        )) as unknown[];
        return killed.length;
      }
      const ids = (await db.dataSource.query(
        `SELECT ID AS id FROM information_schema.PROCESSLIST
        WHERE ID <> CONNECTION_ID() AND DB = DATABASE() AND INFO LIKE 'INSERT INTO%employees%'`,
      )) as { id: number }[];
      for (const { id } of ids)
        await db.dataSource.query(`KILL ${Number(id)}`).catch(() => undefined);
      return ids.length;
    }

    it('a killed connection with two windows in flight: no unhandled rejection, the caller learns what was stored', async () => {
      await db.dataSource.query('DELETE FROM employees');
      const extra = db.dialect === 'postgres' ? { applicationName: 'tbr-kill-child' } : {};
      const child = fork(join(__dirname, '..', 'support', 'bulk-kill-child.ts'), [], {
        execArgv: ['-r', 'ts-node/register/transpile-only'],
        env: { ...process.env, CHILD_DATA_SOURCE: JSON.stringify(sameDatabase(db, extra)) },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      let report: Record<string, unknown> | undefined;
      let killing = false;
      let killed = 0;
      child.on('message', (m: { kind: string; report?: Record<string, unknown> }) => {
        if (m.kind === 'writing') killing = true;
        if (m.kind === 'done') report = m.report;
      });
      // Once the first window is written, every INSERT the child starts is killed.
      while (report === undefined && child.exitCode === null) {
        if (killing) killed += await killInserts();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const code = await exited;
      expect({ code, stderr: stderr.slice(0, 2000) }).toEqual({ code: 0, stderr: '' });
      expect(killed).toBeGreaterThan(0);
      expect(report).toMatchObject({ finished: false });
      const inTable = await storedIndices(db.dataSource);
      if (report!.code === 'BULK_WRITE_INCOMPLETE') {
        expect(['partial', 'unknown']).toContain(report!.outcome);
        expectHonest(report!.progress as BulkWriteIncompleteError['progress'], inTable, 20_000);
      } else {
        // Nothing known stored: the cause itself, with an outcome that does not deny a write.
        expect(report).toMatchObject({ code: 'CONNECTION_LOST', outcome: 'unknown' });
      }
    }, 60_000);
  },
);

describe.each(TARGETS)('bulk writes stopped by a lock on %s', (dialect) => {
  let db: TestDataSource;
  let sqlitePath: string | undefined;
  beforeAll(async () => {
    sqlitePath =
      dialect === 'sqlite'
        ? join(mkdtempSync(join(tmpdir(), 'tbr-busy-')), 'db.sqlite')
        : undefined;
    db = await openDataSource(dialect, [Employee], { sqlitePath });
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(() => db.dataSource.query('DELETE FROM employees'));

  /** A DataSource of the repository's whose lock waits give up quickly. */
  async function impatient(): Promise<DataSource> {
    const options = sameDatabase(db) as DataSourceOptions & { extra?: { options?: string } };
    const extra: Record<string, unknown> =
      db.dialect === 'postgres'
        ? { extra: { options: `${options.extra!.options!} -c lock_timeout=200` } }
        : db.dialect === 'sqlite'
          ? { timeout: 50 }
          : // One connection, so that a session setting holds for every statement.
            { poolSize: 1 };
    const own = await new DataSource({ ...options, ...extra, entities: [Employee] }).initialize();
    if (db.dialect === 'mysql') await own.query('SET SESSION innodb_lock_wait_timeout = 1');
    return own;
  }

  it('a lock timeout part-way: the call says which rows it stored (not "not applied"), and a cached count is fresh', async () => {
    const n = dialect === 'sqlite' ? 20_000 : 50_000;
    const blocked = dialect === 'sqlite' ? 2_000 : 20_000;
    const own = await impatient();
    const holder = db.dataSource.createQueryRunner();
    try {
      const repo = new EmployeeRepository(own, {
        cache: { store: new LruCacheStore(), keyPrefix: 'faults' },
      });
      expect(await repo.count()).toBe(0); // cached
      await holder.connect();
      let holding = false;
      const hold = async () => {
        holding = true;
        if (dialect === 'sqlite') {
          // A second writer holds SQLite's write lock from here on.
          await holder.query('BEGIN IMMEDIATE');
        } else {
          // An uncommitted row with the email of row `blocked`: that INSERT waits on its lock.
          await holder.startTransaction();
          await holder.manager.insert(Employee, { name: 'h', email: `p${blocked}@example.com` });
        }
      };
      if (dialect !== 'sqlite') await hold();
      const rows = Array.from({ length: n }, (_, i) => person(i));
      const error = await repo
        .bulkCreate(rows, {
          batchSize: 500,
          onProgress: (p) => {
            if (dialect === 'sqlite' && !holding && p.processed >= blocked) void hold();
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      if (dialect === 'sqlite' || holder.isTransactionActive)
        await holder.rollbackTransaction().catch(() => holder.query('ROLLBACK'));
      expect(error).toBeInstanceOf(BulkWriteIncompleteError);
      const incomplete = error as BulkWriteIncompleteError;
      expect(incomplete.outcome).toBe('partial');
      expect(incomplete.cause).toBeInstanceOf(TransientDatabaseError);
      expect((incomplete.cause as TransientDatabaseError).code).toMatch(/LOCK_TIMEOUT|BUSY/);
      const inTable = await storedIndices(db.dataSource);
      expect(inTable.length).toBeGreaterThan(0);
      expect(incomplete.progress.unknownIndices).toEqual([]);
      expect(incomplete.progress.storedIndices).toEqual(inTable);
      expect(incomplete.progress.ids).toHaveLength(inTable.length);
      expectHonest(incomplete.progress, inTable, n);
      // The cached count of 0 was dropped: the rows stored are counted.
      expect(await repo.count()).toBe(inTable.length);
    } finally {
      await holder.release();
      await own.destroy();
    }
  }, 120_000);

  it.each(['bulkUpdate', 'bulkUpdateByIds'] as const)(
    '%s stopped by a lock part-way: the call says how many rows it changed, and the cached row is fresh',
    async (call) => {
      const n = 20_000;
      const blocked = 10_000;
      await new EmployeeRepository(db.dataSource).bulkCreate(
        Array.from({ length: n }, (_, i) => person(i)),
      );
      const byIndex = new Map(
        (await db.dataSource.getRepository(Employee).find()).map((e) => [indexOf(e.email), e.id]),
      );
      const own = await impatient();
      const holder = db.dataSource.createQueryRunner();
      try {
        const repo = new EmployeeRepository(own, {
          cache: { store: new LruCacheStore(), keyPrefix: 'faults' },
        });
        const first = byIndex.get(0)!;
        expect((await repo.findById(first))!.department).toBeNull(); // cached
        await holder.connect();
        if (dialect === 'sqlite') {
          // A second writer takes SQLite's write lock just before the 20th UPDATE runs.
          const handle = (
            holder.connection.driver as unknown as {
              databaseConnection: { exec(sql: string): void };
            }
          ).databaseConnection;
          let updates = 0;
          const log = own.logger.logQuery.bind(own.logger);
          own.logger.logQuery = (query, parameters, runner) => {
            if (/^\s*UPDATE/i.test(query) && ++updates === 20) handle.exec('BEGIN IMMEDIATE');
            log(query, parameters, runner);
          };
        } else {
          // Row `blocked` stays locked by another transaction: its page's UPDATE waits and gives up.
          await holder.startTransaction();
          await holder.manager
            .getRepository(Employee)
            .createQueryBuilder('e')
            .setLock('pessimistic_write')
            .where('e.id = :id', { id: byIndex.get(blocked) })
            .getOne();
        }
        const rows = [...byIndex.entries()]
          .sort((a, b) => a[1] - b[1])
          .map(([, id]) => ({ id, department: 'moved' }));
        const error = await (
          call === 'bulkUpdate'
            ? repo.bulkUpdate({ salary__gte: 0 }, { department: 'moved' }, { batchSize: 500 })
            : repo.bulkUpdateByIds(rows, { batchSize: 500 })
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (dialect === 'sqlite') await holder.query('ROLLBACK');
        else await holder.rollbackTransaction();
        expect(error).toBeInstanceOf(BulkWriteIncompleteError);
        const incomplete = error as BulkWriteIncompleteError;
        expect(incomplete.outcome).toBe('partial');
        expect((incomplete.cause as TransientDatabaseError).code).toMatch(/LOCK_TIMEOUT|BUSY/);
        const moved = (await db.dataSource.getRepository(Employee).find())
          .filter((e) => e.department === 'moved')
          .map((e) => e.id);
        expect(moved.length).toBeGreaterThan(0);
        expect(moved.length).toBeLessThan(n);
        expect(incomplete.progress.successCount).toBe(moved.length);
        if (call === 'bulkUpdateByIds') {
          // Input index i is the row with the i-th smallest id.
          const indexOfId = new Map(rows.map((row, i) => [row.id, i]));
          const expected = moved.map((id) => indexOfId.get(id)!).sort((a, b) => a - b);
          expect(incomplete.progress.storedIndices).toEqual(expected);
          expect(incomplete.progress.unknownIndices).toEqual([]);
        }
        // The row cached before the call was changed by it: it is read again.
        expect((await repo.findById(first))!.department).toBe('moved');
      } finally {
        await holder.release();
        await own.destroy();
      }
    },
    120_000,
  );
});

describe.each(TARGETS.filter((t) => t !== 'sqlite'))(
  'a single-row write whose answer is lost on %s',
  (dialect) => {
    let db: TestDataSource;
    let proxy: TcpProxy;
    let viaProxy: DataSource;
    beforeAll(async () => {
      db = await openDataSource(dialect, [Employee]);
      const options = sameDatabase(db) as DataSourceOptions & { url: string };
      const target = new URL(options.url);
      proxy = new TcpProxy({ host: target.hostname, port: Number(target.port) });
      await proxy.start();
      target.port = String(proxy.port);
      viaProxy = await new DataSource({
        ...options,
        url: target.toString(),
        entities: [Employee],
      } as DataSourceOptions).initialize();
    });
    afterAll(async () => {
      await viaProxy.destroy().catch(() => undefined);
      await proxy.stop();
      await db.dataSource.destroy();
    });

    it.each(['update', 'delete'] as const)(
      '%s: the connection dies after the statement ran: CONNECTION_LOST, outcome unknown, and the cached row is not served',
      async (call) => {
        await db.dataSource.query('DELETE FROM employees');
        const repo = new EmployeeRepository(viaProxy, {
          cache: { store: new LruCacheStore(), keyPrefix: 'lost' },
        });
        const { id } = await new EmployeeRepository(db.dataSource).create(person(1));
        expect((await repo.findById(id))!.salary).toBe(1); // cached
        // The server runs the statement (autocommit); its answer is held, then the link is cut.
        proxy.delayMs = 2_000;
        const write =
          call === 'update' ? repo.update(id, { salary: 2 }) : repo.delete(id, { soft: false });
        const outcome = write.then(
          () => undefined,
          (e: unknown) => e,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        await proxy.stop();
        const error = await outcome;
        proxy.delayMs = 0;
        await proxy.start();
        expect(error).toBeInstanceOf(TransientDatabaseError);
        expect(error).toMatchObject({ code: 'CONNECTION_LOST', outcome: 'unknown' });
        const stored = await db.dataSource.getRepository(Employee).findOneBy({ id });
        expect(stored?.salary ?? null).toBe(call === 'update' ? 2 : null);
        // The row the write may have changed is read again, not served from the cache.
        expect((await repo.findById(id))?.salary ?? null).toBe(call === 'update' ? 2 : null);
      },
      30_000,
    );

    it('a COMMIT whose answer is lost: outcome unknown, and the rows the transaction wrote are not served from the cache', async () => {
      await db.dataSource.query('DELETE FROM employees');
      const repo = new EmployeeRepository(viaProxy, {
        cache: { store: new LruCacheStore(), keyPrefix: 'commit' },
      });
      const { id } = await new EmployeeRepository(db.dataSource).create(person(1));
      expect((await repo.findById(id))!.salary).toBe(1); // cached
      const outcome = repo
        .transaction(async (tx) => {
          await tx.update(id, { salary: 2 });
          // From here the server's answers are held: COMMIT runs, its reply never arrives.
          proxy.delayMs = 2_000;
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await new Promise((resolve) => setTimeout(resolve, 400));
      await proxy.stop();
      const error = await outcome;
      proxy.delayMs = 0;
      await proxy.start();
      expect(error).toMatchObject({ code: 'CONNECTION_LOST', outcome: 'unknown' });
      expect((await db.dataSource.getRepository(Employee).findOneBy({ id }))!.salary).toBe(2);
      expect((await repo.findById(id))!.salary).toBe(2);
    }, 30_000);
  },
);
