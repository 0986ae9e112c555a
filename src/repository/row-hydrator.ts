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

type Assign = (entity: ObjectLiteral, raw: Readonly<Record<string, unknown>>) => void;

/**
 * A function that builds an entity from a raw row (database column names, driver values) as
 * TypeORM's `find` would: the entity made from its prototype without running its constructor,
 * each value through the driver's hydration (dates, booleans, transformers). What each column
 * needs is decided once here, not per row: a `list()` page of 50 rows spent as long in hydration
 * as in the query.
 */
export function rowHydrator<T extends ObjectLiteral>(
  model: EntityModel<T>,
  driver: Driver,
  adapter: DialectAdapter,
): (raw: Readonly<Record<string, unknown>>) => T {
  const assigns = model.columns.map((column) =>
    assignFor(column.databaseName, column.metadata, driver, adapter.datetimeText),
  );
  return (raw) => {
    const entity = model.metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const assign of assigns) assign(entity, raw);
    return entity;
  };
}

function assignFor(
  name: string,
  metadata: ColumnMetadata,
  driver: Driver,
  datetimeText: ((text: string) => Date | undefined) | undefined,
): Assign {
  const convert = (value: unknown) => driver.prepareHydratedValue(value, metadata) as unknown;
  const plain = !metadata.embeddedMetadata;
  const property = metadata.propertyName;
  const set = plain
    ? (entity: ObjectLiteral, value: unknown) =>
        void ((entity as Record<string, unknown>)[property] = value)
    : (entity: ObjectLiteral, value: unknown) => metadata.setEntityValue(entity, value);
  const datetime = metadata.type === Date || metadata.type === 'datetime';
  if (datetimeText && datetime && !metadata.transformer) {
    return (entity, raw) => {
      if (!(name in raw)) return;
      const value = raw[name];
      const fast = typeof value === 'string' ? datetimeText(value) : undefined;
      set(entity, fast ?? convert(value));
    };
  }
  if (metadata.transformer || CONVERTED_TYPES.has(metadata.type)) {
    return (entity, raw) => {
      if (name in raw) set(entity, convert(raw[name]));
    };
  }
  if (metadata.type === Number) {
    return (entity, raw) => {
      if (!(name in raw)) return;
      const value = raw[name];
      set(entity, Number.isInteger(value) || value === null ? value : convert(value));
    };
  }
  return (entity, raw) => {
    if (name in raw) set(entity, raw[name]);
  };
}
