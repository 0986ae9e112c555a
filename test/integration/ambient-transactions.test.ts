import { randomUUID } from 'node:crypto';
import { IsOptional, IsString } from 'class-validator';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import {
  adapterFor,
  BaseRepository,
  LruCacheStore,
  TransactionOptionError,
  TransactionPropagationError,
  withTransaction,
  type Propagation,
} from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS } from '../support/servers';

/**
 * `withTransaction` makes its transaction the DataSource's ambient one: repositories called in
 * the callback's async chain join it with no `withManager`, and `propagation` says what a call
 * made inside an open transaction does. Every case checks what the tables hold afterwards.
 */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const dto = (name: string) => ({ name, email: `${name}@example.com`, salary: 0 });

/** A second entity, with a UUID key and non-ASCII text, for units that span two repositories. */
@Entity('ambient_notes')
class Note {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: String, length: 40 }) text!: string;
  @Column({ type: String, length: 40, nullable: true }) tag!: string | null;
}

class NoteDto {
  @IsString() id!: string;
  @IsString() text!: string;
  @IsOptional() @IsString() tag?: string | null;
}

class NoteRepository extends BaseRepository<Note, NoteDto, Partial<NoteDto>> {
  constructor(dataSource: DataSource) {
    super(dataSource, Note, { createDto: NoteDto, updateDto: NoteDto });
  }
}

describe.each(DIALECTS)('ambient transactions on %s', (dialect) => {
  let db: TestDataSource;
  let employees: EmployeeRepository;
  let notes: NoteRepository;
  const oneConnection = dialect === 'sqlite';

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee, Note]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    await db.dataSource.query('DELETE FROM ambient_notes');
    employees = new EmployeeRepository(db.dataSource);
    notes = new NoteRepository(db.dataSource);
  });

  /** What the tables hold, read on the DataSource's own manager after the calls settled. */
  async function stored(): Promise<{ employees: string[]; notes: string[] }> {
    const ds: DataSource = db.dataSource;
    const e = await ds.getRepository(Employee).find({ order: { name: 'ASC' } });
    const n = await ds.getRepository(Note).find();
    return { employees: e.map((r) => r.name), notes: n.map((r) => r.text).sort() };
  }

  /** The session the statement runs on, as the server numbers it (the same for SQLite). */
  async function session(on: EntityManager): Promise<string> {
    const sql = {
      postgres: 'SELECT pg_backend_pid() AS s',
      mysql: 'SELECT CONNECTION_ID() AS s',
      sqlite: 'SELECT 1 AS s',
    }[dialect];
    const [row] = (await on.query(sql)) as { s: unknown }[];
    return String(row!.s);
  }

  it('two repositories called in the callback join its transaction with no withManager: a throw rolls both back', async () => {
    const boom = new Error('abort');
    await expect(
      withTransaction(db.dataSource, async () => {
        await employees.create(dto('ada'));
        await notes.create({ id: randomUUID(), text: 'Ünïcode ∑' });
        expect(await employees.count()).toBe(1); // the transaction's own row
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await stored()).toEqual({ employees: [], notes: [] });

    await withTransaction(db.dataSource, async () => {
      await employees.create(dto('bob'));
      await notes.bulkCreate([
        { id: randomUUID(), text: 'two' },
        { id: randomUUID(), text: 'three', tag: null },
      ]);
      if (!oneConnection) {
        // Another connection sees nothing before COMMIT.
        expect(await db.dataSource.getRepository(Employee).count()).toBe(0);
      }
    });
    expect(await stored()).toEqual({ employees: ['bob'], notes: ['three', 'two'] });
  });

  it("'required' (the default) joins the open transaction on its connection, with no statement of its own", async () => {
    await withTransaction(db.dataSource, async (outer) => {
      const before = db.queries.count;
      await withTransaction(db.dataSource, async (inner) => {
        expect(inner).toBe(outer);
        expect(await session(inner)).toBe(await session(outer));
        await employees.create(dto('ada'));
      });
      // The session probes and the create: no BEGIN, SAVEPOINT or COMMIT.
      const sent = db.queries.queries.slice(before);
      expect(sent.filter((q) => /^(BEGIN|START|SAVEPOINT|COMMIT|RELEASE)/i.test(q))).toEqual([]);
      expect(sent.filter((q) => q.startsWith('INSERT'))).toHaveLength(1);
    });
    expect((await stored()).employees).toEqual(['ada']);
  });

  it('a joined call that fails dooms the transaction even when its caller catches the error: nothing commits', async () => {
    const boom = new Error('inner');
    const failure = await withTransaction(db.dataSource, async () => {
      await employees.create(dto('outer'));
      await withTransaction(db.dataSource, async () => {
        await employees.create(dto('inner'));
        throw boom;
      }).catch(() => undefined);
      await notes.create({ id: randomUUID(), text: 'after' });
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransactionPropagationError);
    expect(failure).toMatchObject({ code: 'TRANSACTION_PROPAGATION', propagation: 'required' });
    expect((failure as Error).cause).toBe(boom);
    expect(await stored()).toEqual({ employees: [], notes: [] });
  });

  it("'nested' runs under a savepoint: a failure rolls back only its own part", async () => {
    await withTransaction(db.dataSource, async () => {
      await employees.create(dto('outer'));
      await expect(
        withTransaction(
          db.dataSource,
          async () => {
            await employees.create(dto('inner'));
            await notes.create({ id: randomUUID(), text: 'inner' });
            throw new Error('inner');
          },
          { propagation: 'nested' },
        ),
      ).rejects.toThrow('inner');
      await withTransaction(db.dataSource, () => notes.create({ id: randomUUID(), text: 'kept' }), {
        propagation: 'nested',
      });
    });
    expect(await stored()).toEqual({ employees: ['outer'], notes: ['kept'] });
  });

  it("'requires-new' commits on a connection of its own, whatever the open transaction does (one-connection SQLite refuses it)", async () => {
    const run = withTransaction(db.dataSource, async (outer) => {
      await employees.create(dto('outer'));
      await withTransaction(
        db.dataSource,
        async (own) => {
          expect(await session(own)).not.toBe(await session(outer));
          // The audit row goes to another table: a row or an index gap the open transaction
          // holds would make this one wait for it while it waits for this one (see the guide).
          await notes.create({ id: randomUUID(), text: 'audit' });
          // The open transaction's row is not visible here.
          expect(await employees.count()).toBe(0);
        },
        { propagation: 'requires-new' },
      );
      throw new Error('outer fails after the audit row committed');
    });
    if (oneConnection) {
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionPropagationError);
      expect(error).toMatchObject({ propagation: 'requires-new' });
      expect(await stored()).toEqual({ employees: [], notes: [] });
      return;
    }
    await expect(run).rejects.toThrow('outer fails');
    expect(await stored()).toEqual({ employees: [], notes: ['audit'] });
  });

  it("'mandatory' refuses to run outside a transaction, before any SQL, and joins inside one", async () => {
    const before = db.queries.count;
    const error = await withTransaction(db.dataSource, () => employees.create(dto('x')), {
      propagation: 'mandatory',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionPropagationError);
    expect(error).toMatchObject({ code: 'TRANSACTION_PROPAGATION', propagation: 'mandatory' });
    expect(db.queries.count).toBe(before);
    await withTransaction(db.dataSource, async (outer) => {
      await withTransaction(
        db.dataSource,
        async (inner) => {
          expect(inner).toBe(outer);
          await employees.create(dto('ada'));
        },
        { propagation: 'mandatory' },
      );
    });
    expect((await stored()).employees).toEqual(['ada']);
  });

  it("'never' refuses to run inside a transaction, and outside runs on no transaction at all", async () => {
    await withTransaction(db.dataSource, async () => {
      await employees.create(dto('outer'));
      const error = await withTransaction(db.dataSource, () => employees.create(dto('x')), {
        propagation: 'never',
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TRANSACTION_PROPAGATION', propagation: 'never' });
    });
    await withTransaction(
      db.dataSource,
      async (manager) => {
        expect(manager.queryRunner).toBeUndefined();
        await employees.create(dto('autocommitted'));
      },
      { propagation: 'never' },
    );
    expect((await stored()).employees).toEqual(['autocommitted', 'outer']);
  });

  it('an unknown propagation is a TransactionOptionError naming the option, before any SQL', async () => {
    const before = db.queries.count;
    const error = await withTransaction(db.dataSource, async () => undefined, {
      propagation: 'supports' as Propagation,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionOptionError);
    expect(error).toMatchObject({ code: 'INVALID_TRANSACTION_OPTION', option: 'propagation' });
    expect(db.queries.count).toBe(before);
  });

  it('concurrent units never see each other: each counts only its own rows', async () => {
    const bothWrote = [deferred(), deferred()];
    const unit = (name: string, mine: number, theirs: number) =>
      withTransaction(db.dataSource, async () => {
        await employees.create(dto(name));
        bothWrote[mine]!.resolve();
        if (!oneConnection) await bothWrote[theirs]!.promise;
        return employees.count();
      });
    const counts = await Promise.all([unit('ada', 0, 1), unit('bob', 1, 0)]);
    // On SQLite the units take turns on its one connection; the second sees the first's commit.
    expect(counts).toEqual(oneConnection ? [1, 2] : [1, 1]);
    expect((await stored()).employees).toEqual(['ada', 'bob']);
  });

  it('a callback left running after its transaction ended writes outside it, not on the released connection', async () => {
    let later!: Promise<unknown>;
    const ended = deferred();
    await withTransaction(db.dataSource, async () => {
      await employees.create(dto('inside'));
      later = ended.promise.then(() => employees.create(dto('after')));
    });
    ended.resolve();
    await later;
    expect((await stored()).employees).toEqual(['after', 'inside']);
  });

  it('the cache: reads in the unit skip it, its writes invalidate at COMMIT, and a rollback leaves it as it was', async () => {
    const cached = new EmployeeRepository(db.dataSource, {
      cache: { store: new LruCacheStore({ max: 100 }), ttlSeconds: 60 },
    });
    const { id } = await cached.create(dto('ada'));
    await cached.findById(id); // fills the cache
    let sent = db.queries.count;
    expect((await cached.findById(id))?.salary).toBe(0);
    expect(db.queries.count).toBe(sent); // a hit

    await expect(
      withTransaction(db.dataSource, async () => {
        await cached.update(id, { salary: 5 });
        expect((await cached.findById(id))?.salary).toBe(5); // read in the transaction
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    sent = db.queries.count;
    expect((await cached.findById(id))?.salary).toBe(0);
    expect(db.queries.count).toBe(sent); // still the cached row, which is still right

    await withTransaction(db.dataSource, () => cached.update(id, { salary: 7 }));
    sent = db.queries.count;
    expect((await cached.findById(id))?.salary).toBe(7);
    expect(db.queries.count).toBe(sent + 1); // invalidated at COMMIT: read again
  });

  if (dialect !== 'sqlite') {
    it('a deadlock in a joined call retries the whole unit, even when the unit caught the error: effects land once', async () => {
      const [a, b] = await Promise.all([
        employees.create(dto('a')),
        employees.create(dto('b')),
      ]).then((rows) => rows.map((r) => r.id).sort((x, y) => x - y));
      const p = (i: number) => adapterFor(db.dataSource).syntax.placeholder(i);
      const bump = (on: EntityManager, id: number, by: number) =>
        on.query(`UPDATE employees SET salary = salary + ${p(0)} WHERE id = ${p(1)}`, [by, id]);
      const runs = { first: 0, second: 0 };
      const firstHoldsA = deferred();
      const secondHoldsB = deferred();
      const unit = (
        which: 'first' | 'second',
        [x, y]: readonly number[],
        by: number,
        holds: ReturnType<typeof deferred>,
        waits: ReturnType<typeof deferred>,
      ) =>
        withTransaction(
          db.dataSource,
          async () => {
            runs[which]++;
            await employees.create(dto(`${which}-${runs[which]}`));
            // The locking happens in a joined call, whose error the unit swallows.
            await withTransaction(db.dataSource, async (m) => {
              await bump(m, x!, by);
              if (runs[which] === 1) {
                holds.resolve();
                await waits.promise;
              }
              await bump(m, y!, by);
            }).catch(() => undefined);
          },
          { retry: { maxRetries: 3 } },
        );
      const outcomes = await Promise.allSettled([
        unit('first', [a!, b!], 1, firstHoldsA, secondHoldsB),
        unit('second', [b!, a!], 10, secondHoldsB, firstHoldsA),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      expect([runs.first, runs.second].sort()).toEqual([1, 2]); // the victim ran again, whole
      const rows = await db.dataSource.getRepository(Employee).find({ order: { id: 'ASC' } });
      expect(rows.filter((r) => r.id === a || r.id === b).map((r) => r.salary)).toEqual([11, 11]);
      // The victim's first create was rolled back with its unit: one row per unit.
      const names = rows.map((r) => r.name).filter((n) => n !== 'a' && n !== 'b');
      expect(names).toHaveLength(2);
      expect(new Set(names.map((n) => n.split('-')[0]))).toEqual(new Set(['first', 'second']));
    });
  }
});
