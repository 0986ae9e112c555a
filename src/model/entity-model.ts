import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ConfigurationError } from '../errors';
import { domainOf, type ColumnDomain } from './column-domain';

/** A primary-key value, in the one canonical spelling of its column (see `canonicalKey`). */
export type EntityId = string | number;

/** A column as the repository needs it: its property name, database name and value domain. */
export interface ModelColumn {
  readonly property: string;
  readonly databaseName: string;
  /** The values it holds, for the checks made before SQL. */
  readonly domain: ColumnDomain;
  readonly metadata: ColumnMetadata;
}

/**
 * The facts about an entity that the repository, filters and bulk planner ask for, resolved once
 * from TypeORM's metadata at construction.
 */
export class EntityModel<T extends ObjectLiteral = ObjectLiteral> {
  readonly name: string;
  readonly metadata: EntityMetadata;
  readonly primary: ModelColumn;
  readonly version?: ModelColumn;
  readonly createDate?: ModelColumn;
  readonly updateDate?: ModelColumn;
  readonly deleteDate?: ModelColumn;
  /** Every stored column, relation join columns excluded. */
  readonly columns: readonly ModelColumn[];
  /** The primary key and every unique constraint or unique index, as column lists. */
  readonly uniqueKeys: readonly (readonly ModelColumn[])[];
  readonly #byProperty: ReadonlyMap<string, ModelColumn>;
  /** The prototype entities are built on (a plain object for an EntitySchema entity). */
  readonly prototype: object;

  constructor(
    dataSource: DataSource,
    readonly target: EntityTarget<T>,
  ) {
    if (!dataSource.hasMetadata(target)) {
      throw new ConfigurationError(
        `${targetName(target)} is not an entity of this DataSource: list it in "entities"`,
      );
    }
    const metadata = dataSource.getMetadata(target);
    this.metadata = metadata;
    this.name = metadata.name;
    const targetClass = metadata.target;
    this.prototype =
      typeof targetClass === 'function' ? (targetClass.prototype as object) : Object.prototype;
    if (metadata.primaryColumns.length !== 1) {
      throw new ConfigurationError(
        `${metadata.name}: exactly one primary column is supported, found ${metadata.primaryColumns.length}`,
      );
    }
    const byProperty = new Map<string, ModelColumn>();
    for (const column of metadata.columns) {
      byProperty.set(column.propertyPath, {
        property: column.propertyPath,
        databaseName: column.databaseName,
        domain: domainOf(column),
        metadata: column,
      });
    }
    this.#byProperty = byProperty;
    this.columns = [...byProperty.values()].filter((c) => !c.metadata.isVirtual);
    const find = (c: ColumnMetadata | undefined) =>
      c ? byProperty.get(c.propertyPath) : undefined;
    this.primary = find(metadata.primaryColumns[0])!;
    this.version = find(metadata.versionColumn);
    this.createDate = find(metadata.createDateColumn);
    this.updateDate = find(metadata.updateDateColumn);
    this.deleteDate = find(metadata.deleteDateColumn);
    const keyOf = (columns: readonly ColumnMetadata[]) =>
      columns.map((c) => byProperty.get(c.propertyPath)!);
    this.uniqueKeys = [
      [this.primary],
      ...metadata.uniques.map((u) => keyOf(u.columns)),
      ...metadata.indices.filter((i) => i.isUnique).map((i) => keyOf(i.columns)),
    ];
  }

  /** The column behind a property name, or `undefined`. Never resolves database names. */
  column(property: string): ModelColumn | undefined {
    return this.#byProperty.get(property);
  }

  /** The column behind a property name; a ConfigurationError when there is none. */
  requireColumn(property: string, purpose: string): ModelColumn {
    const column = this.column(property);
    if (!column)
      throw new ConfigurationError(`${this.name}: ${purpose} "${property}" is not a column`);
    return column;
  }

  /** Columns the repository maintains itself; input may not set them. */
  isManaged(column: ModelColumn): boolean {
    return (
      column === this.version ||
      column === this.createDate ||
      column === this.updateDate ||
      column === this.deleteDate
    );
  }
}

/** An entity target by its name: `String()` of a class is its whole source text. */
function targetName(target: EntityTarget<ObjectLiteral>): string {
  if (typeof target === 'function') return target.name || 'an anonymous class';
  if (typeof target === 'string') return JSON.stringify(target);
  if ('options' in target && typeof target.options?.name === 'string') return target.options.name;
  if ('name' in target && typeof target.name === 'string') return target.name;
  return 'the entity';
}
