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
 * needs is decided once here, and written out as the straight-line body of a function compiled
 * once per entity: each property is then a named load and store rather than a keyed one, and the
 * hydration of a 50-row `list()` page took half as long as the loop it replaced. Names reach the
 * code only as JSON string literals; values never do.
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
  const body = reads.map((column, i) => columnCode(column, i)).join('\n');
  const compile = new Function(
    'entityMetadata',
    'columns',
    'driver',
    'datetimeText',
    `"use strict";
return function hydrate(raw) {
  const entity = entityMetadata.create(undefined, { fromDeserializer: true });
  let value;
${body}
  return entity;
};`,
  ) as (
    entityMetadata: EntityModel<T>['metadata'],
    columns: readonly ColumnMetadata[],
    driver: Driver,
    datetimeText: ((text: string) => Date | undefined) | undefined,
  ) => (raw: Readonly<Record<string, unknown>>) => T;
  return compile(
    model.metadata,
    reads.map((r) => r.metadata),
    driver,
    datetimeText && lastReadOnce(datetimeText),
  );
}

/**
 * `read` that answers a repeat of the last text it read from its reading: a row's create and
 * update stamps are the same text until its first update, as are the stamps of the rows one bulk
 * call wrote. Cost on any other text: one string comparison.
 */
function lastReadOnce(
  read: (text: string) => Date | undefined,
): (text: string) => Date | undefined {
  let lastText: string | undefined;
  let lastMs = 0;
  return (text) => {
    if (text === lastText) return new Date(lastMs);
    const date = read(text);
    if (date !== undefined) {
      lastText = text;
      lastMs = date.getTime();
    }
    return date;
  };
}

/** The statements that read column `i` of a row into the entity. */
function columnCode(column: ColumnRead, i: number): string {
  const name = JSON.stringify(column.name);
  const convert = `driver.prepareHydratedValue(value, columns[${i}])`;
  const read = {
    [Read.AsIs]: '',
    [Read.Number]: `if (!Number.isInteger(value) && value !== null) value = ${convert};`,
    [Read.DatetimeText]: `value = (typeof value === 'string' ? datetimeText(value) : undefined) ?? ${convert};`,
    [Read.Driver]: `value = ${convert};`,
  }[column.read];
  const store = column.embedded
    ? `columns[${i}].setEntityValue(entity, value);`
    : `entity[${JSON.stringify(column.property)}] = value;`;
  // Columns the row does not hold (a partial RETURNING) stay unset; a present one is never
  // undefined, so the \`in\` check runs only then.
  return `  value = raw[${name}];
  if (value !== undefined || ${name} in raw) { ${read} ${store} }`;
}

function readFor(metadata: ColumnMetadata, fastDatetimes: boolean): Read {
  if (metadata.transformer) return Read.Driver;
  const datetime = metadata.type === Date || metadata.type === 'datetime';
  if (datetime && fastDatetimes) return Read.DatetimeText;
  if (CONVERTED_TYPES.has(metadata.type)) return Read.Driver;
  return metadata.type === Number ? Read.Number : Read.AsIs;
}
