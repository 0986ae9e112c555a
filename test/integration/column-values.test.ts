import { randomUUID } from 'node:crypto';
import { FilterError, LruCacheStore, ValidationError } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import {
  BigThing,
  BigThingRepository,
  UuidThing,
  UuidThingRepository,
} from '../support/keyed-entities';
import { TARGETS } from '../support/servers';

/**
 * Ids and values checked and spelled by column type, one rule on every dialect: one key has one
 * cache entry whatever its spelling, what is no valid key is refused before SQL, and a value a
 * column cannot hold is a typed error before SQL instead of a server error on one dialect.
 */
describe.each(TARGETS)('values by column type on %s', (dialect) => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee, UuidThing, BigThing]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    for (const table of ['employees', 'uuid_things', 'big_things']) {
      await db.dataSource.query(`DELETE FROM ${table}`);
    }
    db.queries.reset();
  });
  const cache = () => ({ cache: { store: new LruCacheStore(), keyPrefix: `cv-${randomUUID()}` } });

  describe('canonical ids', () => {
    it('findById(1.5) and other non-keys of an int column are refused before SQL, not row 1', async () => {
      const repo = new EmployeeRepository(db.dataSource);
      const { id } = await repo.create({ name: 'A', email: 'a@x.io', salary: 1 });
      for (const bad of [
        id + 0.5,
        `${id}.0`,
        '1.0',
        id + 2 ** -40,
        2 ** 31,
        `${id}e0`,
        ` ${id}`,
        NaN,
        2 ** 53 + 2,
      ]) {
        const sql = await db.queries.during(async () => {
          await expect(repo.findById(bad as number)).rejects.toMatchObject({
            code: 'FILTER_INVALID_VALUE',
            key: 'id',
          });
          await expect(repo.update(bad as number, { salary: 2 })).rejects.toBeInstanceOf(
            FilterError,
          );
          await expect(repo.delete(bad as number)).rejects.toBeInstanceOf(FilterError);
        });
        expect(sql).toEqual([]);
      }
      expect((await repo.findById(`0${id}` as unknown as number))?.id).toBe(id);
    });

    it("one int key has one cache entry: a write through '01' leaves no stale 1, and back", async () => {
      const repo = new EmployeeRepository(db.dataSource, cache());
      const { id } = await repo.create({ name: 'A', email: 'a@x.io', salary: 1 });
      const spelled = `0${id}` as unknown as number;
      expect((await repo.findById(id))!.salary).toBe(1);
      // The other spelling is the same entry: no query.
      const reads = await db.queries.during(() => repo.findById(spelled));
      expect(reads).toEqual([]);
      await repo.update(spelled, { salary: 2 });
      expect((await repo.findById(id))!.salary).toBe(2);
      await repo.update(id, { salary: 3 });
      expect((await repo.findById(spelled))!.salary).toBe(3);
    });

    it('an upper-case UUID is one key with its lower case: stored lower, found, cached once, never stale', async () => {
      const repo = new UuidThingRepository(db.dataSource, cache());
      const lower = randomUUID();
      const upper = lower.toUpperCase();
      const made = await repo.create({ id: upper, name: 'Ünïcode ∑' });
      expect(made.id).toBe(lower);
      const raw = (await db.dataSource.getRepository(UuidThing).find())[0]!;
      expect(raw.id).toBe(lower);
      expect((await repo.findById(upper))!.name).toBe('Ünïcode ∑');
      expect(await db.queries.during(() => repo.findById(lower))).toEqual([]);
      await repo.update(upper, { name: 'b' });
      expect((await repo.findById(lower))!.name).toBe('b');
      await expect(repo.findById('not-a-uuid')).rejects.toMatchObject({
        code: 'FILTER_INVALID_VALUE',
      });
    });

    it('bulkUpsert with an upper-case UUID key updates the row, reports no UNIQUE_VIOLATION, and the cache is fresh', async () => {
      const repo = new UuidThingRepository(db.dataSource, cache());
      const id = randomUUID();
      await repo.create({ id, name: 'old', code: 'c1' });
      expect((await repo.findById(id))!.name).toBe('old'); // cached
      const result = await repo.bulkUpsert([{ id: id.toUpperCase(), name: 'new', code: 'c1' }], {
        conflictTarget: ['id'],
      });
      expect(result.errors).toEqual([]);
      expect(result.successCount).toBe(1);
      const rows = await db.dataSource.getRepository(UuidThing).find();
      expect(rows.map((r) => [r.id, r.name])).toEqual([[id, 'new']]);
      expect((await repo.findById(id))!.name).toBe('new');
    });

    it('bigint ids as strings, numbers and bigints are one key on findById, update, delete and restore (no TypeError)', async () => {
      const repo = new BigThingRepository(db.dataSource, cache());
      // 2^53 + 1 is no safe number; SQLite's driver reads integers as numbers, so it gets a safe one.
      const big = dialect === 'sqlite' ? '9007199254740991' : '9007199254740993';
      await repo.create({ id: big, region: 'eu', sku: 'a' });
      await repo.create({ id: 5, region: 'eu', sku: 'b' });
      expect(String((await repo.findById(BigInt(big) as unknown as string))!.id)).toBe(big);
      expect((await repo.findById(5n as unknown as string))!.sku).toBe('b');
      expect((await repo.findById('05'))!.sku).toBe('b');
      await repo.update(5n as unknown as string, { qty: 7 });
      expect((await repo.findById('5'))!.qty).toBe(7);
      await repo.delete(BigInt(big) as unknown as string);
      expect(await repo.findById(big)).toBeNull();
      expect(String((await repo.restore(BigInt(big) as unknown as string)).id)).toBe(big);
      expect((await repo.findById(big))!.sku).toBe('a');
      await expect(repo.findById(2 ** 60)).rejects.toMatchObject({ code: 'FILTER_INVALID_VALUE' });
      await expect(repo.findById('9223372036854775808')).rejects.toMatchObject({
        code: 'FILTER_INVALID_VALUE',
      });
    });
  });

  describe('one single-row insert path', () => {
    it.each(['create', 'createBatched'] as const)(
      '%s after a cached miss of the same id returns the stored row (no NotFoundError), and the miss is gone',
      async (call) => {
        const repo = new UuidThingRepository(db.dataSource, cache());
        const id = randomUUID();
        expect(await repo.findById(id)).toBeNull(); // "no row" is cached
        const made =
          call === 'create'
            ? await repo.create({ id, name: 'late' })
            : await repo.createBatched({ id, name: 'late' });
        expect(made).toMatchObject({ id, name: 'late' });
        expect((await repo.findById(id))?.name).toBe('late');
      },
    );
  });

  describe('filters compare numerically with int columns', () => {
    it('year__lt: 1942.1 includes 1942, year: 1942.5 matches nothing, ne 1942.5 every row', async () => {
      const repo = new UuidThingRepository(db.dataSource);
      for (const qty of [1941, 1942, 1943, null]) {
        await repo.create({ id: randomUUID(), name: `q${qty}`, qty });
      }
      const qtys = async (filters: object) =>
        (await repo.list({ filters: filters as never })).map((r) => r.qty).sort();
      expect(await qtys({ qty__lt: 1942.1 })).toEqual([1941, 1942]);
      expect(await qtys({ qty__lte: '1942.9' })).toEqual([1941, 1942]);
      expect(await qtys({ qty__gt: 1941.5 })).toEqual([1942, 1943]);
      expect(await qtys({ qty__gte: -0.5 })).toEqual([1941, 1942, 1943]);
      expect(await qtys({ qty: 1942.5 })).toEqual([]);
      expect((await qtys({ qty__ne: 1942.5 })).length).toBe(4);
      expect(await qtys({ qty__in: [1942, 1942.5, 2 ** 31] })).toEqual([1942]);
      expect(await qtys({ qty__between: [1941.5, 1943.5] })).toEqual([1942, 1943]);
      expect(await qtys({ qty__lt: 2 ** 40 })).toEqual([1941, 1942, 1943]);
      expect(await qtys({ qty__gt: 2 ** 40 })).toEqual([]);
      expect(await qtys({ qty__gt: -(2 ** 40) })).toEqual([1941, 1942, 1943]);
      expect(await qtys({ qty__lt: -(2 ** 40) })).toEqual([]);
      expect(await repo.count({ qty: 2 ** 31 })).toBe(0);
    });
  });

  describe('values a column cannot hold are refused before SQL', () => {
    it.each([
      ['qty', 1.5, 'isInt'],
      ['qty', 2 ** 31, 'isInt'],
      ['name', 'a\u0000b', 'noNul'],
      ['name', 'x'.repeat(41), 'maxLength'],
      ['price', '12345.5', 'isDecimal'],
      ['price', 1e21, 'isDecimal'],
      ['day', '2011-02-30', 'isDate'],
      ['day', '10000-01-01', 'isDate'],
      ['id', 'not-a-uuid', 'isUUID'],
    ])(
      'create with %s = %p: ValidationError (%s) naming the field',
      async (field, value, constraint) => {
        const repo = new UuidThingRepository(db.dataSource);
        const input = { id: randomUUID(), name: 'n', [field]: value };
        const sql = await db.queries.during(async () => {
          const error = await repo.create(input).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fields).toEqual([
            { field, constraints: { [constraint]: expect.any(String) } },
          ]);
        });
        expect(sql).toEqual([]);
      },
    );

    it('the same values in bulkCreate are reported by index, the good rows stored', async () => {
      const repo = new UuidThingRepository(db.dataSource);
      const rows = [
        { id: randomUUID(), name: 'ok', qty: 1, price: '1234.56' },
        { id: randomUUID(), name: 'bad', qty: 1.5 },
        { id: randomUUID(), name: 'a\u0000b' },
        { id: randomUUID(), name: 'ok2', day: '2024-02-29' },
      ];
      const result = await repo.bulkCreate(rows);
      expect(result.errors.map((e) => [e.index, e.code])).toEqual([
        [1, 'VALIDATION_FAILED'],
        [2, 'VALIDATION_FAILED'],
      ]);
      const stored = await db.dataSource.getRepository(UuidThing).find();
      expect(stored.map((r) => r.name).sort()).toEqual(['ok', 'ok2']);
    });

    it.each([
      [{ name: 'a\u0000b' }],
      [{ day: '2011-13-01' }],
      [{ day__lt: '300000-01-01' }],
      [{ deletedAt__lt: new Date(8.64e15) }],
      [{ id: 'not-a-uuid' }],
    ])('filter %p is a FilterError before SQL', async (filters) => {
      const repo = new UuidThingRepository(db.dataSource);
      const sql = await db.queries.during(() =>
        expect(repo.list({ filters: filters as never })).rejects.toMatchObject({
          code: 'FILTER_INVALID_VALUE',
        }),
      );
      expect(sql).toEqual([]);
    });
  });

  // npm test runs this suite again with TZ=America/New_York, where the bug showed.
  describe('date columns, in any zone', () => {
    it("{ day: '2011-09-01' } returns the 09-01 row, not the 08-31 one", async () => {
      const repo = new UuidThingRepository(db.dataSource);
      for (const day of ['2011-08-31', '2011-09-01', '2011-09-02']) {
        await repo.create({ id: randomUUID(), name: day, day });
      }
      const days = async (filters: object) =>
        (await repo.list({ filters: filters as never })).map((r) => r.name).sort();
      expect(await days({ day: '2011-09-01' })).toEqual(['2011-09-01']);
      expect(await days({ day__lt: '2011-09-01' })).toEqual(['2011-08-31']);
      expect(await days({ day__in: ['2011-09-01', '2011-09-02'] })).toEqual([
        '2011-09-01',
        '2011-09-02',
      ]);
    });
  });
});
