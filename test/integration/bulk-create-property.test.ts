import { Allow, IsOptional, IsString } from 'class-validator';
import {
  Column,
  Entity,
  PrimaryGeneratedColumn,
  VersionColumn,
  type DataSource,
  type EntityManager,
} from 'typeorm';
import { BaseRepository, BulkOperationError, type BulkOperationResult } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { seededRandom as random } from '../support/seeded-random';
import { TARGETS } from '../support/servers';

/**
 * bulkCreate as a property: random loads (duplicate keys near and far apart, keys already in the
 * table, NULLs in NOT NULL columns, values the DTO or the column refuses, good rows) in every
 * conflict mode, at random batch sizes, in and out of a transaction. A plain model of the table
 * predicts the stored rows, `errors` (index and code), the counts and `createdIds`; the case's
 * seed is in every failure message, and BULK_PROPERTY_SEED replays a run.
 */

const CASES = Number(process.env.BULK_PROPERTY_CASES ?? 40);
const SEED = Number(process.env.BULK_PROPERTY_SEED ?? 20261212);
const MAX_ROWS = 400;

@Entity('property_members')
class Member {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: String, length: 40 })
  name!: string;

  @Column({ type: String, length: 60, unique: true })
  email!: string;

  @Column({ type: Number, nullable: true })
  salary!: number | null;

  @VersionColumn()
  version!: number;
}

/** `name` and `email` are checked by the DTO; `salary` only by its column's type. */
class MemberDto {
  @IsOptional() @IsString() name?: string | null;
  @IsOptional() @IsString() email?: string | null;
  @Allow() salary?: unknown;
}

class MemberRepository extends BaseRepository<Member, MemberDto, MemberDto> {
  constructor(dataSource: DataSource) {
    super(dataSource, Member, { createDto: MemberDto, updateDto: MemberDto });
  }
}

type Mode = 'error' | 'skip' | 'update';

/** What the model knows of an input row: how it fails before SQL, or at the database. */
type Kind = 'good' | 'invalid' | 'notNull';

interface InputRow {
  readonly input: Record<string, unknown>;
  readonly kind: Kind;
  /** The unique key, for rows that carry one (a failing row's too: an upsert dedups by it). */
  readonly email?: string;
  readonly name?: string;
  /** The stored salary, `undefined` when the row leaves the column out. */
  readonly salary?: number | null;
}

interface ModelRow {
  name: string;
  salary: number | null;
  version: number;
  /** Present for rows in the table before the call (their id must not change). */
  id?: number;
}

interface Case {
  readonly seed: number;
  readonly mode: Mode;
  readonly batchSize: number | undefined;
  readonly inTransaction: boolean;
  readonly returnIds: boolean;
  readonly atomic: boolean;
  readonly existing: readonly string[];
  readonly rows: readonly InputRow[];
}

function generate(seed: number): Case {
  const rnd = random(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const chance = (p: number) => rnd() < p;
  const mode = (['error', 'skip', 'update'] as const)[int(3)]!;
  const size = chance(0.1) ? int(5) : 1 + int(MAX_ROWS);
  // Few keys for many rows: duplicates within the call, near and far apart, are common.
  const keys = Math.max(1, Math.ceil(size * (0.3 + rnd())));
  const email = () => `k${int(keys)}@x.io`;
  const existing = [...new Set(Array.from({ length: int(Math.ceil(keys / 2)) }, email))];
  const batchSize = chance(0.2) ? undefined : chance(0.3) ? 1 + int(10) : 1 + int(300);
  const salary = () => (chance(0.2) ? null : int(100_000));
  const rows: InputRow[] = Array.from({ length: size }, (_, i): InputRow => {
    const name = `n${i}`;
    const e = email();
    const roll = rnd();
    if (roll < 0.65) {
      // A good row, with or without salary (two column signatures), salary sometimes as text.
      if (chance(0.3)) return { input: { name, email: e }, kind: 'good', email: e, name };
      const s = salary();
      const spelled = s !== null && chance(0.1) ? String(s) : s;
      return {
        input: { name, email: e, salary: spelled },
        kind: 'good',
        email: e,
        name,
        salary: s,
      };
    }
    if (roll < 0.8) {
      const s = salary();
      const notNull = [
        { name: null, email: e, salary: s },
        { email: e, salary: s }, // a NOT NULL column left out
        { name, email: null, salary: s },
      ][int(3)]!;
      return { input: notNull, kind: 'notNull', ...(notNull.email ? { email: e } : {}) };
    }
    const bad = [
      { name: 42, email: e }, // wrong type, refused by the DTO
      { name: 'x'.repeat(41), email: e }, // longer than the column
      { name, email: e, salary: 1.5 }, // not a whole number
      { name, email: e, salary: 2 ** 31 }, // out of the int range
      { name, email: e, salary: 'lots' },
      { name, email: e, salary: true },
      { name, email: e, nickname: 'no such column' },
    ][int(7)]!;
    return { input: bad, kind: 'invalid' };
  });
  return {
    seed,
    mode,
    batchSize,
    inTransaction: chance(0.3),
    returnIds: chance(0.85),
    atomic: chance(0.1),
    existing,
    rows,
  };
}

interface Expected {
  readonly errors: [number, string][];
  readonly successCount: number;
  readonly inserted: number;
  readonly updated: number;
  readonly skipped: number;
  /** Emails of the rows created, in input order of the row that created each. */
  readonly created: string[];
  readonly table: Map<string, ModelRow>;
}

/**
 * The documented rules (docs/bulk-operations.md): every row stored or reported by index.
 * `'error'`: the first occurrence of a key is stored, a later one or one already stored is
 * UNIQUE_VIOLATION. `'skip'`: such rows are skipped (counted in skippedCount and successCount).
 * `'update'`: a key's last occurrence in a window wins (the last the database accepts); a key
 * already stored is updated (the columns the row gives, version + 1). Invalid rows are VALIDATION_FAILED before any SQL, NULLs
 * in NOT NULL columns NOT_NULL_VIOLATION whatever their key meets.
 */
function predict(c: Case, table: Map<string, ModelRow>, window: number): Expected {
  const errors: [number, string][] = [];
  const created: { index: number; email: string }[] = [];
  let inserted = 0;
  let updated = 0;
  let skipped = 0;
  let superseded = 0;
  const store = (index: number, row: InputRow) => {
    const email = row.email!;
    const prior = table.get(email);
    if (prior === undefined) {
      table.set(email, { name: row.name!, salary: row.salary ?? null, version: 1 });
      created.push({ index, email });
      inserted++;
      return;
    }
    if (c.mode === 'error') return errors.push([index, 'UNIQUE_VIOLATION']);
    if (c.mode === 'skip') return skipped++;
    prior.name = row.name!;
    if (row.salary !== undefined) prior.salary = row.salary;
    prior.version++;
    updated++;
  };
  for (let start = 0; start < c.rows.length; start += window) {
    const rows = c.rows.slice(start, start + window).map((row, k) => ({ row, index: start + k }));
    for (const { row, index } of rows) {
      if (row.kind === 'invalid') errors.push([index, 'VALIDATION_FAILED']);
    }
    let pending = rows.filter(({ row }) => row.kind !== 'invalid');
    while (pending.length > 0) {
      // An upsert writes the last row per key; the rows it superseded are applied with it, or,
      // should it fail, get their turn in the next round.
      const last = new Map<string, { index: number; row: InputRow }>();
      if (c.mode === 'update') for (const r of pending) if (r.row.email) last.set(r.row.email, r);
      const next: typeof pending = [];
      for (const { row, index } of pending) {
        const winner = row.email ? last.get(row.email) : undefined;
        if (winner && winner.index !== index) {
          if (winner.row.kind === 'notNull') next.push({ row, index });
          else superseded++;
        } else if (row.kind === 'notNull') errors.push([index, 'NOT_NULL_VIOLATION']);
        else store(index, row);
      }
      pending = next;
    }
  }
  errors.sort((a, b) => a[0] - b[0]);
  return {
    errors,
    successCount: inserted + updated + skipped + superseded,
    inserted,
    updated,
    skipped,
    created: created.sort((a, b) => a.index - b.index).map((r) => r.email),
    table,
  };
}

function describeCase(c: Case): string {
  const { seed, mode, batchSize, inTransaction, returnIds, atomic } = c;
  const where = inTransaction ? 'in a transaction' : 'autocommit';
  return `seed ${seed} (BULK_PROPERTY_SEED=${seed} BULK_PROPERTY_CASES=1): ${mode}, batchSize ${batchSize ?? 'default'}, ${c.rows.length} rows, ${c.existing.length} existing, ${where}, returnIds ${returnIds}, atomic ${atomic}`;
}

describe.each(TARGETS)('bulkCreate property on %s', (target) => {
  let db: TestDataSource;
  let repo: MemberRepository;

  beforeAll(async () => {
    db = await openDataSource(target, [Member]);
    repo = new MemberRepository(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());

  async function stored(): Promise<Map<string, ModelRow & { id: number }>> {
    const rows = await db.dataSource.getRepository(Member).find({ order: { id: 'ASC' } });
    return new Map(rows.map((r) => [r.email, { ...r }]));
  }

  async function runCase(c: Case): Promise<void> {
    await db.dataSource.getRepository(Member).clear();
    if (c.existing.length > 0) {
      await db.dataSource
        .getRepository(Member)
        .insert(c.existing.map((email, i) => ({ email, name: `old${i}`, salary: i })));
    }
    const before = await stored();
    const model = new Map([...before].map(([email, row]) => [email, { ...row }]));
    const window = c.batchSize ?? adapterFor(db.dataSource).bulkLoad.defaultBatchSize;
    const expected = predict(c, model, window);
    const options = {
      onConflict: c.mode,
      ...(c.mode === 'error' ? {} : { conflictTarget: ['email' as const] }),
      ...(c.batchSize === undefined ? {} : { batchSize: c.batchSize }),
      returnIds: c.returnIds,
      atomic: c.atomic,
    };
    const input = c.rows.map((r) => r.input);
    const call = (manager?: EntityManager) =>
      (manager ? repo.withManager(manager) : repo).bulkCreate(input as MemberDto[], options);
    let result: BulkOperationResult | undefined;
    let thrown: unknown;
    try {
      result = c.inTransaction
        ? await db.dataSource.transaction((manager) => call(manager))
        : await call();
    } catch (error) {
      thrown = error;
    }
    const after = await stored();
    const plain = (table: Map<string, ModelRow>) =>
      [...table]
        .map(([email, { name, salary, version }]) => ({ email, name, salary, version }))
        .sort((a, b) => a.email.localeCompare(b.email));

    if (c.atomic && expected.errors.length > 0) {
      // All or nothing: the call throws the failures it met, and the table is as it was.
      expect(thrown).toBeInstanceOf(BulkOperationError);
      const listed = (thrown as BulkOperationError).errors.map((e) => [e.index, e.code]);
      for (const failure of listed) expect(expected.errors).toContainEqual(failure);
      expect(plain(after)).toEqual(plain(before));
      return;
    }
    if (thrown) throw thrown;
    expect(result!.errors.map((e) => [e.index, e.code])).toEqual(expected.errors);
    expect({
      successCount: result!.successCount,
      errorCount: result!.errorCount,
      totalRecords: result!.totalRecords,
    }).toEqual({
      successCount: expected.successCount,
      errorCount: expected.errors.length,
      totalRecords: c.rows.length,
    });
    if (c.mode !== 'error') {
      expect({
        insertedCount: result!.insertedCount,
        updatedCount: result!.updatedCount,
        skippedCount: result!.skippedCount,
      }).toEqual({
        insertedCount: expected.inserted,
        updatedCount: expected.updated,
        skippedCount: expected.skipped,
      });
    }
    expect(plain(after)).toEqual(plain(expected.table));
    // Rows that were there keep their ids.
    for (const [email, row] of before) expect(after.get(email)!.id).toBe(row.id);
    expect(result!.createdIds).toEqual(
      c.returnIds ? expected.created.map((email) => after.get(email)!.id) : [],
    );
  }

  const seeds = Array.from({ length: CASES }, (_, k) => SEED + k);
  it(`${CASES} random loads from seed ${SEED} match the model`, async () => {
    for (const seed of seeds) {
      const c = generate(seed);
      try {
        await runCase(c);
      } catch (error) {
        if (error instanceof Error) error.message = `${describeCase(c)}\n${error.message}`;
        throw error;
      }
    }
  });
});
