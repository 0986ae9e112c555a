import { randomUUID } from 'node:crypto';
import { LruCacheStore, type BaseRepository } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import {
  BigThing,
  BigThingRepository,
  UuidThing,
  UuidThingRepository,
} from '../support/keyed-entities';
import { TARGETS } from '../support/servers';

/**
 * The CRUD, bulk, cache and coalescing paths over entities whose keys are not a small generated
 * int: a caller-supplied UUID (with a nullable unique column, a `date` and a decimal) and a bigint
 * (past 2^53 where the driver reads it exactly) with a composite unique key. Each step checks the
 * table and counts the queries a cached read ran.
 */
describe.each(TARGETS)('keyed entities on %s', (dialect) => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(dialect, [UuidThing, BigThing]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM uuid_things');
    await db.dataSource.query('DELETE FROM big_things');
  });
  const cache = () => ({ cache: { store: new LruCacheStore(), keyPrefix: `k-${randomUUID()}` } });

  /** A read that must be a cache hit: it runs no query. */
  async function hit<R>(read: () => Promise<R>): Promise<R> {
    let result: R | undefined;
    const sql = await db.queries.during(async () => {
      result = await read();
    });
    expect(sql).toEqual([]);
    return result as R;
  }

  async function cachedRoundTrip<T extends { id: unknown }>(
    repo: BaseRepository<T, object, object>,
    id: T['id'],
    change: object,
    read: (row: T) => unknown,
  ) {
    const before = read((await repo.findById(id as never))!);
    expect(read((await hit(() => repo.findById(id as never)))!)).toEqual(before);
    await repo.update(id as never, change as never);
    const after = read((await repo.findById(id as never))!);
    expect(after).not.toEqual(before);
    expect(read((await hit(() => repo.findById(id as never)))!)).toEqual(after);
  }

  it('UUID key: CRUD, cache hits, soft delete and restore, nullable unique, date and decimal', async () => {
    const repo = new UuidThingRepository(db.dataSource, cache());
    const id = randomUUID();
    const made = await repo.create({
      id,
      name: 'Zoë',
      code: null,
      day: '2024-02-29',
      price: '12.50',
    });
    expect(made).toMatchObject({ id, name: 'Zoë', day: '2024-02-29', version: 1 });
    expect(Number(made.price)).toBe(12.5);
    // Two NULLs in a unique column are no conflict.
    await repo.create({ id: randomUUID(), name: 'other', code: null });
    await cachedRoundTrip(repo, id, { name: 'Zoë II' }, (row) => row.name);
    await repo.delete(id);
    expect(await repo.findById(id)).toBeNull();
    expect((await repo.restore(id)).name).toBe('Zoë II');
    expect(await repo.count({ day: '2024-02-29' })).toBe(1);
    expect((await repo.list({ orderBy: '-day', filters: { day__isnull: false } }))[0]!.id).toBe(id);
  });

  it('UUID key: bulkCreate, bulkUpsert on the key and on the nullable unique column, bulkUpdate, bulkUpdateByIds, bulkDelete', async () => {
    const repo = new UuidThingRepository(db.dataSource, cache());
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const created = await repo.bulkCreate(
      ids.map((id, i) => ({ id, name: `n${i}`, code: i % 3 === 0 ? null : `c${i}` })),
      { returnIds: true },
    );
    expect(created.errors).toEqual([]);
    expect([...created.createdIds!].sort()).toEqual([...ids].sort());
    const upserted = await repo.bulkUpsert(
      [
        { id: ids[1]!.toUpperCase(), name: 'upper', code: 'c1' },
        { id: randomUUID(), name: 'new', code: 'fresh' },
      ],
      { conflictTarget: ['id'] },
    );
    expect(upserted.errors).toEqual([]);
    const byCode = await repo.bulkUpsert([{ id: randomUUID(), name: 'by code', code: 'c2' }], {
      conflictTarget: ['code'],
    });
    expect(byCode.errors).toEqual([]);
    const stored = await db.dataSource.getRepository(UuidThing).find();
    expect(stored).toHaveLength(31);
    const find = (pred: (r: UuidThing) => boolean) => stored.find(pred)!;
    expect(find((r) => r.id === ids[1]).name).toBe('upper');
    expect(find((r) => r.code === 'c2')).toMatchObject({ id: ids[2], name: 'by code' });
    const updated = await repo.bulkUpdate({ code__isnull: true }, { name: 'nulls' });
    expect(updated.successCount).toBe(10);
    const byIds = await repo.bulkUpdateByIds([
      { id: ids[4]!, name: 'four' },
      { id: ids[4]!.toUpperCase(), name: 'again' },
      { id: randomUUID(), name: 'missing' },
    ]);
    expect(byIds.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'DUPLICATE_ID'],
      [2, 'NOT_FOUND'],
    ]);
    const deleted = await repo.bulkDelete({ name: 'nulls' }, { batchSize: 4 });
    expect(deleted.successCount).toBe(10);
    expect(await repo.count()).toBe(21);
    expect((await repo.findById(ids[4]!))!.name).toBe('four');
  });

  it('bigint key and composite unique key: CRUD, cache hits, bulk upsert on (region, sku), bulk updates, createBatched', async () => {
    const repo = new BigThingRepository(db.dataSource, cache());
    // SQLite's driver reads integers as numbers: stay exact there.
    const base = dialect === 'sqlite' ? 9_007_199_254_740_000n : 9_007_199_254_740_993n;
    const id = (i: number) => (base + BigInt(i)).toString();
    await repo.create({ id: id(0), region: 'eu', sku: 'a', qty: 1 });
    await cachedRoundTrip(repo, id(0), { qty: 2 }, (row) => row.qty);
    const result = await repo.bulkCreate(
      Array.from({ length: 20 }, (_, i) => ({
        id: id(i + 1),
        region: i % 2 ? 'eu' : 'us',
        sku: `s${i}`,
      })),
      { returnIds: true },
    );
    expect(result.errors).toEqual([]);
    expect(result.createdIds!.map(String)).toEqual(Array.from({ length: 20 }, (_, i) => id(i + 1)));
    // The composite key decides: an existing (region, sku) is updated, a new one inserted.
    const upsert = await repo.bulkUpsert(
      [
        { id: id(100), region: 'us', sku: 's0', qty: 9 },
        { id: id(101), region: 'us', sku: 'new', qty: 3 },
      ],
      { conflictTarget: ['region', 'sku'] },
    );
    expect(upsert.errors).toEqual([]);
    const stored = await db.dataSource.getRepository(BigThing).find();
    const bySku = (region: string, sku: string) =>
      stored.find((r) => r.region === region && r.sku === sku)!;
    expect(String(bySku('us', 's0').id)).toBe(id(1));
    expect(bySku('us', 's0').qty).toBe(9);
    expect(String(bySku('us', 'new').id)).toBe(id(101));
    const dup = await repo.bulkCreate([{ id: id(200), region: 'eu', sku: 'a' }]);
    expect(dup.errors.map((e) => e.code)).toEqual(['UNIQUE_VIOLATION']);
    expect(
      (await repo.bulkUpdate({ region: 'eu' }, { qty: 5 }, { batchSize: 3 })).successCount,
    ).toBe(11);
    const byIds = await repo.bulkUpdateByIds([
      { id: id(2), qty: 7 },
      { id: BigInt(id(2)) as never, qty: 8 },
    ]);
    expect(byIds.errors.map((e) => e.code)).toEqual(['DUPLICATE_ID']);
    expect((await repo.findById(id(2)))!.qty).toBe(7);
    const batched = await repo.createBatched({ id: id(300), region: 'apac', sku: 'b' });
    expect(String(batched.id)).toBe(id(300));
    expect(String((await repo.findById(id(300)))!.id)).toBe(id(300));
    await repo.delete(id(300));
    expect(await repo.findById(id(300))).toBeNull();
  });
});
