import type { ObjectLiteral } from 'typeorm';
import type { FilterNode } from '../filters/filter-node';
import { parseFilters } from '../filters/filter-parser';
import { keyText } from '../model/column-values';
import { ALIAS, type RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';

/** Keys or records read per statement. */
export const KEY_CHUNK = 1000;

/** A row's primary key and, when the entity has one, its version. */
export interface KeyVersion {
  readonly id: EntityId;
  readonly version?: number;
}

/**
 * A comparable string for a primary-key value, the same whether it came from the caller or from
 * the database ({@link keyText}: `7` and `'07'` are one key; UUIDs compare without case).
 */
export function keyString<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  id: unknown,
): string {
  return keyText(context.model.primary, id) ?? '';
}

/** A primary-key value as the driver returned it, hydrated into an id. */
export function idOfRaw<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  raw: unknown,
): EntityId {
  return context.driver.prepareHydratedValue(raw, context.model.primary.metadata) as EntityId;
}

/** The filter `pk IN (ids)`. */
export function idsFilter<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  ids: readonly EntityId[],
): FilterNode {
  return parseFilters({ [`${context.model.primary.property}__in`]: ids }, context.model);
}

/** Which page of a keyset walk {@link readKeyPage} reads. */
export interface KeyPage {
  /** Keys greater than this one; from the first when undefined. */
  readonly after: EntityId | undefined;
  readonly limit: number;
  /**
   * A locking read (`SELECT … FOR UPDATE`, in an open transaction): the rows it returns stay as
   * read until the transaction ends, so a write that follows changes exactly them.
   * @default false
   */
  readonly lock?: boolean;
}

/**
 * One page of a keyset walk: the first `limit` primary keys, in key order, of the visible rows
 * `node` matches whose key is greater than `after`.
 */
export async function readKeyPage<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  { after, limit, lock = false }: KeyPage,
): Promise<EntityId[]> {
  const { primary } = context.model;
  const pk = `${ALIAS}.${primary.property}`;
  const query = context.select(node).select(pk, 'k').orderBy(pk, 'ASC').limit(limit);
  if (after !== undefined) {
    const value = context.driver.preparePersistentValue(after, primary.metadata) as unknown;
    query.andWhere(`${pk} > :keysetAfter`, { keysetAfter: value });
  }
  if (locks(context, lock)) query.setLock('pessimistic_write');
  const rows = await context.run(() => query.getRawMany<{ k: unknown }>());
  return rows.map((row) => idOfRaw(context, row.k));
}

/**
 * Whether a read asked to `lock` takes row locks: not where the dialect has no locking read
 * (SQLite serialises writers), which TypeORM 0.3 refuses with LockNotSupportedOnGivenDriverError.
 */
function locks(context: RepositoryContext<ObjectLiteral>, lock: boolean): boolean {
  return lock && context.adapter.syntax.lockingRead !== '';
}

/**
 * The key and version of each visible row among `ids`, by {@link keyString}. Rows that are
 * missing, soft-deleted or another tenant's are absent. `lock` as in {@link KeyPage}.
 */
export async function readVersions<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  ids: readonly EntityId[],
  { lock = false }: { readonly lock?: boolean } = {},
): Promise<Map<string, KeyVersion>> {
  const { primary, version } = context.model;
  const query = context.select(idsFilter(context, ids)).select(`${ALIAS}.${primary.property}`, 'k');
  if (version) query.addSelect(`${ALIAS}.${version.property}`, 'v');
  if (locks(context, lock)) query.setLock('pessimistic_write');
  const rows = await context.run(() => query.getRawMany<{ k: unknown; v?: unknown }>());
  const found = new Map<string, KeyVersion>();
  for (const row of rows) {
    const id = idOfRaw(context, row.k);
    found.set(keyString(context, id), version ? { id, version: Number(row.v) } : { id });
  }
  return found;
}

/** The visible rows with these ids, in key order, read {@link KEY_CHUNK} at a time. */
export async function loadRecords<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  ids: readonly EntityId[],
): Promise<T[]> {
  const records: T[] = [];
  const pk = `${ALIAS}.${context.model.primary.property}`;
  for (let start = 0; start < ids.length; start += KEY_CHUNK) {
    const query = context
      .select(idsFilter(context, ids.slice(start, start + KEY_CHUNK)))
      .orderBy(pk, 'ASC');
    records.push(...(await context.run(() => query.getMany())));
  }
  return records;
}
