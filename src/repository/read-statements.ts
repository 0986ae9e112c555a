// The SELECTs the repository's reads run, written directly rather than through TypeORM's query
// builder, which costs more than the query itself on an indexed page or a primary-key lookup.
import type { ObjectLiteral } from 'typeorm';
import { MATCH_ALL, type FilterNode } from '../filters/filter-node';
import type { SortDirection, SortKey } from '../filters/order-by';
import type { ModelColumn } from '../model/entity-model';
import { PositionalParameters } from '../sql/positional-parameters';
import type { GuardOptions, RepositoryContext } from './repository-context';
import type { Statement } from '../sql/statement';

/** What `list()` reads: a filter, an order, and a page (by offset, or after a keyset bound). */
export interface ListQuery {
  readonly node: FilterNode;
  readonly guards: GuardOptions;
  readonly sort: readonly SortKey[];
  readonly limit?: number;
  readonly offset?: number;
  /** Rows strictly after these values of {@link orderKeys}, in that order (keyset paging). */
  readonly after?: readonly unknown[];
}

/**
 * The full order of a list: the caller's sort keys, then the primary key unless it is one of
 * them, so that pages are stable. The primary key takes the direction of the last sort key: an
 * index on `(salary)` is ordered by `(salary, pk)` on InnoDB and read backwards as
 * `salary DESC, pk DESC`, which `salary DESC, pk ASC` would turn into a sort of every match.
 */
export function orderKeys(model: { primary: ModelColumn }, sort: readonly SortKey[]): SortKey[] {
  if (sort.some((key) => key.column === model.primary)) return [...sort];
  const direction: SortDirection = sort.length > 0 ? sort[sort.length - 1]!.direction : 'ASC';
  return [...sort, { column: model.primary, direction }];
}

/**
 * `SELECT <columns> FROM t WHERE <guards and filter> [AND <after>] ORDER BY … LIMIT n OFFSET ?`
 * (findById and findOne are pages of one). NULLs sort as the smallest value on every dialect; a clause saying so is
 * written only for a nullable column and only where the dialect needs one (PostgreSQL), so that
 * an index on a NOT NULL column serves the order in either direction.
 */
export function listStatement<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  query: ListQuery,
): Statement {
  const { adapter, model } = context;
  const params = new PositionalParameters(adapter);
  const quote = (c: ModelColumn) => adapter.syntax.quoteIdentifier(c.databaseName);
  const keys = orderKeys(model, query.sort);
  let where = context.where(query.node, query.guards).writeInto(params.bind);
  if (query.after) {
    const bind = (column: ModelColumn, value: unknown) =>
      params.bind(context.driver.preparePersistentValue(value, column.metadata));
    where = `(${where}) AND ${afterBound(keys, query.after, quote, bind)}`;
  }
  const order = keys.map(({ column, direction }) => {
    const nulls = column.metadata.isNullable ? adapter.syntax.nullsOrdering(direction) : undefined;
    return `${quote(column)} ${direction}${nulls ? ` ${nulls}` : ''}`;
  });
  let sql = `${context.statements.selectAll} WHERE ${where} ORDER BY ${order.join(', ')}`;
  sql += adapter.syntax.limitOffset(query.limit, query.offset, params.bind);
  return { sql, params: params.values };
}

/**
 * `SELECT <columns> FROM t WHERE <guards> AND pk = ?`: the row with this (canonical) id. Neither
 * ORDER BY nor LIMIT (the key is unique), and no filter to parse and compile: a lookup by key
 * spent longer building its statement than running it.
 */
export function byIdStatement<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  id: unknown,
  guards: GuardOptions,
): Statement {
  const params = new PositionalParameters(context.adapter);
  const guard = context.where(MATCH_ALL, guards).writeInto(params.bind);
  const { primary } = context.model;
  const key = context.adapter.syntax.quoteIdentifier(primary.databaseName);
  const value = params.bind(context.driver.preparePersistentValue(id, primary.metadata));
  return {
    sql: `${context.statements.selectAll} WHERE ${guard} AND ${key} = ${value}`,
    params: params.values,
  };
}

/** `SELECT COUNT(*) AS n FROM t WHERE <guards and filter>`: no ORDER BY, nothing to hydrate. */
export function countStatement<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  guards: GuardOptions,
): Statement {
  return aggregate(context, 'COUNT(*) AS n', node, guards, '');
}

/** `SELECT 1 AS found FROM t WHERE <guards and filter> LIMIT 1`: the server stops at one row. */
export function existsStatement<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  guards: GuardOptions,
): Statement {
  return aggregate(context, '1 AS found', node, guards, ' LIMIT 1');
}

function aggregate<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  select: string,
  node: FilterNode,
  guards: GuardOptions,
  tail: string,
): Statement {
  const params = new PositionalParameters(context.adapter);
  const where = context.where(node, guards).writeInto(params.bind);
  return {
    sql: `SELECT ${select} FROM ${context.table} WHERE ${where}${tail}`,
    params: params.values,
  };
}

/**
 * Rows after a keyset position, NULLs being the smallest value: for keys k1..kn, the OR over i of
 * "k1..k(i-1) equal and ki past its bound". The first key's range is repeated on its own in front
 * (`k1 <= v1` descending) where it is a plain range, so that the index scan starts at the cursor
 * instead of filtering every row before it.
 */
function afterBound(
  keys: readonly SortKey[],
  values: readonly unknown[],
  quote: (c: ModelColumn) => string,
  bind: (column: ModelColumn, value: unknown) => string,
): string {
  // Bound first: positional placeholders follow the order values are bound in.
  const [first] = keys;
  const start = values[0];
  const range =
    first && start !== null && !first.column.metadata.isNullable
      ? `${quote(first.column)} ${first.direction === 'ASC' ? '>=' : '<='} ${bind(first.column, start)} AND `
      : '';
  const branches: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    // Descending, nothing sorts past NULL: no branch (and nothing bound for one).
    if (keys[i]!.direction === 'DESC' && values[i] === null) continue;
    const parts: string[] = [];
    for (let j = 0; j < i; j++) parts.push(equal(keys[j]!.column, values[j], quote, bind));
    parts.push(beyond(keys[i]!, values[i], quote, bind));
    branches.push(parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`);
  }
  return branches.length === 0 ? '1 = 0' : `${range}(${branches.join(' OR ')})`;
}

function equal(
  column: ModelColumn,
  value: unknown,
  quote: (c: ModelColumn) => string,
  bind: (column: ModelColumn, value: unknown) => string,
): string {
  return value === null ? `${quote(column)} IS NULL` : `${quote(column)} = ${bind(column, value)}`;
}

/** The key sorts strictly after `value`, NULL the smallest (never NULL descending: see above). */
function beyond(
  { column, direction }: SortKey,
  value: unknown,
  quote: (c: ModelColumn) => string,
  bind: (column: ModelColumn, value: unknown) => string,
): string {
  const col = quote(column);
  if (direction === 'ASC') {
    // After NULL come all non-NULLs; after a value, the larger ones.
    return value === null ? `${col} IS NOT NULL` : `${col} > ${bind(column, value)}`;
  }
  // Descending: after a value come the smaller ones and then the NULLs.
  const smaller = `${col} < ${bind(column, value)}`;
  return column.metadata.isNullable ? `(${smaller} OR ${col} IS NULL)` : smaller;
}
