import type { Driver, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { DialectAdapter } from '../dialects/dialect-adapter';
import type { EntityModel } from '../model/entity-model';

/**
 * The declared types TypeORM's drivers convert when they hydrate a value (see each driver's
 * `prepareHydratedValue`): every other type, without a transformer, is handed over as the driver
 * returned it. `Number` is converted only when the value is not already a whole number.
 */
const CONVERTED_TYPES = new Set<unknown>([
  Boolean,
  'bool',
  'boolean',
  Date,
  'datetime',
  'timestamp',
  'timestamptz',
  'timestamp with time zone',
  'timestamp without time zone',
  'date',
  'time',
  'json',
  'jsonb',
  'simple-json',
  'simple-array',
  'simple-enum',
  'enum',
  'set',
  'hstore',
  'cube',
  'vector',
  'halfvec',
]);

/** How a column's value becomes a property value. */
const Read = {
  /** As the driver returned it. */
  AsIs: 0,
  /** A whole number as is, anything else through the driver. */
  Number: 1,
  /** Datetime text by the dialect's fast reader, anything else through the driver. */
  DatetimeText: 2,
  /** Through the driver (dates, booleans, JSON, transformers). */
  Driver: 3,
} as const;
type Read = (typeof Read)[keyof typeof Read];

interface ColumnRead {
  readonly name: string;
  readonly property: string;
  readonly read: Read;
  readonly metadata: ColumnMetadata;
  /** Set through the metadata: a property of an embedded object. */
  readonly embedded: boolean;
}

/**
 * A function that builds an entity from a raw row (database column names, driver values) as
 * TypeORM's `find` would: the entity made from its prototype without running its constructor,
 * each value through the driver's hydration (dates, booleans, transformers). What each column
 * needs is decided once here, and the per-row loop is a switch rather than a closure per column:
 * a `list()` page of 50 rows spent as long in hydration as in the query.
 */
export function rowHydrator<T extends ObjectLiteral>(
  model: EntityModel<T>,
  driver: Driver,
  adapter: DialectAdapter,
): (raw: Readonly<Record<string, unknown>>) => T {
  const { datetimeText } = adapter.binding;
  const reads: ColumnRead[] = model.columns.map(({ databaseName, metadata }) => ({
    name: databaseName,
    property: metadata.propertyName,
    read: readFor(metadata, datetimeText !== undefined),
    metadata,
    embedded: metadata.embeddedMetadata !== undefined,
  }));
  const { metadata } = model;
  return (raw) => {
    const entity = metadata.create(undefined, { fromDeserializer: true }) as Record<
      string,
      unknown
    >;
    for (const column of reads) {
      let value = raw[column.name];
      // Columns the row does not hold (a partial RETURNING) stay unset; a present one is never
      // undefined, so the `in` check runs only then.
      if (value === undefined && !(column.name in raw)) continue;
      switch (column.read) {
        case Read.AsIs:
          break;
        case Read.Number:
          if (!Number.isInteger(value) && value !== null)
            value = driver.prepareHydratedValue(value, column.metadata);
          break;
        case Read.DatetimeText:
          value =
            (typeof value === 'string' ? datetimeText!(value) : undefined) ??
            driver.prepareHydratedValue(value, column.metadata);
          break;
        case Read.Driver:
          value = driver.prepareHydratedValue(value, column.metadata);
          break;
      }
      if (column.embedded) column.metadata.setEntityValue(entity, value);
      else entity[column.property] = value;
    }
    return entity as T;
  };
}

function readFor(metadata: ColumnMetadata, fastDatetimes: boolean): Read {
  if (metadata.transformer) return Read.Driver;
  const datetime = metadata.type === Date || metadata.type === 'datetime';
  if (datetime && fastDatetimes) return Read.DatetimeText;
  if (CONVERTED_TYPES.has(metadata.type)) return Read.Driver;
  return metadata.type === Number ? Read.Number : Read.AsIs;
}
