import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { canonicalKey } from '../../src/model/column-values';
import { EntityModel } from '../../src/model/entity-model';

@Entity('keyed_ints')
class KeyedInts {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'bigint' }) wide!: string;
  @Column({ type: 'smallint' }) small!: number;
}

/** One canonical spelling per key: a lookup, a cache key and a bulk match agree on it. */
describe('canonicalKey of integer columns', () => {
  let dataSource: DataSource;
  let model: EntityModel<KeyedInts>;
  const column = (property: string) => model.column(property)!;
  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [KeyedInts],
    }).initialize();
    model = new EntityModel(dataSource, KeyedInts);
  });
  afterAll(() => dataSource.destroy());

  it('spells one key one way, whatever the input type', () => {
    for (const id of [7, '7', '07', 7n]) expect(canonicalKey(column('id'), id)).toBe(7);
    expect(canonicalKey(column('id'), -0)).toBe(0);
    expect(Object.is(canonicalKey(column('id'), -0), 0)).toBe(true);
    for (const id of [7, '7', 7n]) expect(canonicalKey(column('wide'), id)).toBe('7');
    expect(canonicalKey(column('wide'), '9007199254740993')).toBe('9007199254740993');
  });

  it("refuses fractions, unsafe numbers and values outside the column's range", () => {
    for (const id of [1.5, Number.NaN, Infinity, 2 ** 53, '1.0', 'x']) {
      expect(canonicalKey(column('id'), id)).toBeUndefined();
    }
    expect(canonicalKey(column('small'), 32_767)).toBe(32_767);
    expect(canonicalKey(column('small'), 32_768)).toBeUndefined();
    expect(canonicalKey(column('small'), -32_769)).toBeUndefined();
    expect(canonicalKey(column('small'), '32768')).toBeUndefined();
  });
});
