import type { Driver } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * The value-binding part of a dialect: how a value reaches the driver where TypeORM's own
 * conversion does not run (raw queries, bulk writes) and how a value the driver returns for an
 * expression (not a column) reads back. Which values a column accepts, and their one canonical
 * spelling (a UUID in lower case, a 64-bit integer as a decimal string), is the same on every
 * dialect and lives in `model/column-values.ts`; this part only says how the driver wants them.
 * The defaults pass values as they are, as node-postgres and mysql2 take them.
 */
export class ValueBinding {
  /** A Date as a raw query binds it: the driver's own conversion, as the entity writes use. */
  bindableDate(value: Date): unknown {
    return value;
  }

  /** A bigint as a raw query binds it. */
  bindableBigInt(value: bigint): unknown {
    return value;
  }

  /** A boolean as a raw query binds it. */
  bindableBoolean(value: boolean): unknown {
    return value;
  }

  /**
   * An array bound as one value (outside `IN (:list)`): JSON text where the dialect has no
   * array type. Elements are already bindable.
   */
  bindableArray(values: readonly unknown[]): unknown {
    return JSON.stringify(values);
  }

  /**
   * How a bulk write turns one column's values into bound values: what TypeORM's
   * `preparePersistentValue` does, as one function per column so a dialect can replace a slow
   * conversion for the column types it knows. Asked once per column and statement shape, then
   * called once per value.
   */
  persistentValue(column: ColumnMetadata, driver: Driver): (value: unknown) => unknown {
    return (value) => driver.preparePersistentValue(value, column);
  }

  /**
   * A fast reader of the datetime text the driver hands back, giving exactly the Date TypeORM's
   * hydration would, or `undefined` for text it does not handle (then TypeORM's hydration runs).
   * `undefined` where the driver returns Dates itself.
   */
  readonly datetimeText?: (text: string) => Date | undefined;

  /**
   * Whether a boolean the driver returned for an expression (an upsert's inserted-flag,
   * `SqlSyntax.upsertInsertedFlag`) is true: drivers without a boolean type return 1 or `'1'`.
   */
  readBoolean(value: unknown): boolean {
    return value === true || value === 1 || value === '1';
  }
}
