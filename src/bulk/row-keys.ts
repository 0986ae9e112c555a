import type { Driver, ObjectLiteral } from 'typeorm';
import { keyText } from '../model/column-values';
import type { ModelColumn } from '../model/entity-model';
import { PositionalParameters } from '../sql/positional-parameters';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { Statement } from '../sql/statement';
import { idOfRaw } from './key-reader';
import type { PreparedRow } from './row-preparer';

const SEPARATOR = '\u0001';

/** The key of an input row, or `undefined` when a key column is missing or NULL (no conflict). */
export function keyOfValues(
  values: Readonly<Record<string, unknown>>,
  key: readonly ModelColumn[],
): string | undefined {
  const parts: string[] = [];
  for (const column of key) {
    const part = keyText(column, values[column.property]);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return parts.join(SEPARATOR);
}

/** The key of a row as the database returned it (database column names, driver values). */
export function keyOfRaw(
  raw: Readonly<Record<string, unknown>>,
  key: readonly ModelColumn[],
  driver: Driver,
): string | undefined {
  const values: Record<string, unknown> = {};
  for (const column of key) {
    values[column.property] = driver.prepareHydratedValue(
      raw[column.databaseName],
      column.metadata,
    );
  }
  return keyOfValues(values, key);
}

/**
 * `SELECT <columns> FROM t WHERE (key) IN ((…), …)` for the keys of `rows`, ignoring the tenant
 * and soft-delete guards on purpose: it is used to see every row an INSERT may collide with.
 */
export function selectByKeys<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  key: readonly ModelColumn[],
  rows: readonly PreparedRow[],
  columns: readonly ModelColumn[],
): Statement {
  const { adapter, driver } = context;
  const params = new PositionalParameters(adapter);
  const quote = (c: ModelColumn) => adapter.syntax.quoteIdentifier(c.databaseName);
  const bind = (row: PreparedRow, c: ModelColumn) =>
    params.bind(driver.preparePersistentValue(row.values[c.property], c.metadata));
  const keyed = rows.filter((r) => keyOfValues(r.values, key) !== undefined);
  const tuples = keyed.map((r) =>
    key.length === 1 ? bind(r, key[0]!) : `(${key.map((c) => bind(r, c)).join(', ')})`,
  );
  const target = key.length === 1 ? quote(key[0]!) : `(${key.map(quote).join(', ')})`;
  const where = tuples.length > 0 ? `${target} IN (${tuples.join(', ')})` : '1 = 0';
  const unique = [...new Set([...key, ...columns])];
  return {
    sql: `SELECT ${unique.map(quote).join(', ')} FROM ${context.table} WHERE ${where}`,
    params: params.values,
  };
}

/** Returned or selected rows by the key they carry; rows without the key are left out. */
export function rowsByKey<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  raws: readonly Record<string, unknown>[],
  key: readonly ModelColumn[],
): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  for (const raw of raws) {
    const k = keyOfRaw(raw, key, context.driver);
    if (k !== undefined) map.set(k, raw);
  }
  return map;
}

/** The primary key of a row as the database returned it. */
export function rowId<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  raw: Readonly<Record<string, unknown>>,
): EntityId {
  return idOfRaw(context, raw[context.model.primary.databaseName]);
}
