import { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { SqliteBinding } from '../../src/dialects/sqlite-binding';

/** TypeORM's own reading of a SQLite datetime text, the reference the fast reader must equal. */
const typeorm = (text: string): unknown =>
  AbstractSqliteDriver.prototype.prepareHydratedValue.call({} as never, text, {
    type: 'datetime',
  } as ColumnMetadata);

describe('SqliteBinding.datetimeText', () => {
  const read = new SqliteBinding().datetimeText;

  it.each([
    '2024-02-29 23:59:58.123',
    '2024-02-29T23:59:58.123',
    '2024-02-29 23:59:58',
    '2024-02-29 23:59',
    '1970-01-01 00:00:00.000',
    '9999-12-31 23:59:59.999',
    '0100-03-01 12:00:00.000',
    '2024-02-30 00:00:00.000', // rolls over to March 1, as Date does
    '2024-02-29 24:00:00.000',
  ])('reads %p as TypeORM does', (text) => {
    const fast = read(text);
    expect(fast).toBeInstanceOf(Date);
    expect(fast!.getTime()).toBe((typeorm(text) as Date).getTime());
  });

  it.each([
    '2024-02-29 23:59:58.12', // TypeORM reads two fraction digits as local time
    '2024-02-29 23:59:58.1234',
    '2024-13-01 00:00:00.000',
    '2024-02-29 23:60:00.000',
    '2024-02-29 24:30:00.000', // Date: invalid
    '2024-02-29 24:00:00.001',
    '0099-01-01 00:00:00.000',
    '2024-02-29 23:59:58+02:00',
    '2024-02-29',
    'garbage',
  ])('leaves %p to TypeORM', (text) => {
    expect(read(text)).toBeUndefined();
  });

  it('equals TypeORM on 10,000 random instants', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 253402300799999;
    for (let i = 0; i < 10_000; i++) {
      const text = new Date(next()).toISOString().replace('T', ' ').replace('Z', '');
      if (text.startsWith('00')) continue;
      expect(read(text)?.getTime()).toBe((typeorm(text) as Date).getTime());
    }
  });
});
