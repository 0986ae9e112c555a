import { Allow } from 'class-validator';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { BaseRepository } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { seededRandom } from '../support/seeded-random';
import { TARGETS } from '../support/servers';

/**
 * `list()` and `findById()` build entities from raw rows themselves (a hydrator decided once per
 * column); they must equal what TypeORM's `find` builds, for every kind of column, NULLs
 * included, on every dialect.
 */
const upper = { to: (v: string | null) => v, from: (v: string | null) => v?.toUpperCase() ?? v };

@Entity('hydrated')
class Hydrated {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: Number, nullable: true }) n!: number | null;
  @Column({ type: 'bigint', nullable: true }) big!: string | null;
  @Column({ type: 'decimal', precision: 10, scale: 2, nullable: true }) price!: string | null;
  @Column({ type: 'float', nullable: true }) ratio!: number | null;
  @Column({ type: Boolean, nullable: true }) flag!: boolean | null;
  @Column({ type: String, length: 40, nullable: true }) text!: string | null;
  @Column({ type: Date, nullable: true }) at!: Date | null;
  @Column({ type: 'date', nullable: true }) day!: string | null;
  @Column({ type: 'simple-json', nullable: true }) json!: { a: number[] } | null;
  @Column({ type: 'simple-array', nullable: true }) tags!: string[] | null;
  @Column({ type: String, length: 40, nullable: true, transformer: upper }) shout!: string | null;
}

class HydratedDto {
  @Allow() n?: number | null;
  @Allow() big?: string | null;
  @Allow() price?: string | null;
  @Allow() ratio?: number | null;
  @Allow() flag?: boolean | null;
  @Allow() text?: string | null;
  @Allow() at?: Date | null;
  @Allow() day?: string | null;
  @Allow() json?: { a: number[] } | null;
  @Allow() tags?: string[] | null;
  @Allow() shout?: string | null;
}

class HydratedRepository extends BaseRepository<Hydrated, HydratedDto, HydratedDto> {
  constructor(dataSource: DataSource) {
    super(dataSource, Hydrated, { createDto: HydratedDto, updateDto: HydratedDto });
  }
}

describe.each(TARGETS)('row hydration on %s', (dialect) => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await openDataSource(dialect, [Hydrated]);
  });
  afterAll(() => db.dataSource.destroy());

  it('list() and findById() build the same entities as TypeORM find(), for every column kind and NULLs', async () => {
    const repo = new HydratedRepository(db.dataSource);
    await repo.create({
      n: 42,
      big: '9007199254740993',
      price: '1234.50',
      ratio: 0.25,
      flag: true,
      text: 'Ünïcode ∑ 𝄞',
      at: new Date('2024-02-29T23:59:58.123Z'),
      day: '2024-02-29',
      json: { a: [1, 2] },
      tags: ['x', 'y'],
      shout: 'quiet',
    });
    await repo.create({ flag: false, n: -7, text: '' });
    await repo.create({});
    const ours = await repo.list();
    const theirs = await db.dataSource.getRepository(Hydrated).find({ order: { id: 'ASC' } });
    expect(ours).toEqual(theirs);
    for (const [i, entity] of ours.entries()) {
      expect(entity).toBeInstanceOf(Hydrated);
      expect(await repo.findById(entity.id)).toEqual(theirs[i]);
    }
    expect(ours[0]!.shout).toBe('QUIET');
  });

  it('equals TypeORM find() over 120 random rows of every column kind (seed 20261208), NULLs and non-ASCII text included', async () => {
    const repo = new HydratedRepository(db.dataSource);
    const random = seededRandom(20261208);
    const pick = <V>(values: readonly V[]): V => values[Math.floor(random() * values.length)]!;
    const orNull = <V>(value: () => V): V | null => (random() < 0.2 ? null : value());
    const int = (bound: number) => Math.floor(random() * 2 * bound) - bound;
    const words = ['Zoë', 'Straße', 'İstanbul', '東京', 'naïve café', '𝄞 clef', '', 'plain'];
    const dtos = Array.from({ length: 120 }, () => ({
      n: orNull(() => int(2 ** 31 - 1)),
      big: orNull(() => String(BigInt(int(2 ** 30)) * 2n ** 32n + BigInt(int(2 ** 31)))),
      price: orNull(() => (int(99_999_999) / 100).toFixed(2)),
      ratio: orNull(() => pick([0.5, -2.25, 1024, 0, 3.75])),
      flag: orNull(() => random() < 0.5),
      text: orNull(() => pick(words)),
      at: orNull(() => new Date(Math.floor(random() * 4_102_444_800_000))),
      day: orNull(() =>
        new Date(Math.floor(random() * 4_102_444_800_000)).toISOString().slice(0, 10),
      ),
      json: orNull(() => ({ a: [int(1000), int(1000)] })),
      tags: orNull(() => [pick(['x', 'Ü', '東']), pick(['y', 'ß'])]),
      shout: orNull(() => pick(['quiet', 'ünïcode'])),
    }));
    const { errors } = await repo.bulkCreate(dtos);
    expect(errors).toEqual([]);
    const ours = await repo.list({ orderBy: 'id' });
    const theirs = await db.dataSource.getRepository(Hydrated).find({ order: { id: 'ASC' } });
    expect(ours.length).toBeGreaterThanOrEqual(120);
    expect(ours).toEqual(theirs);
  });
});
