import type { DialectAdapter } from '../dialects/dialect-adapter';
import type { Bind } from '../dialects/sql-syntax';
import type { MatchMode } from '../dialects/like-pattern';
import type { ModelColumn } from '../model/entity-model';
import { unreachable } from '../unreachable';
import type { ConditionNode, FilterNode } from './filter-node';

export interface FilterCompileContext {
  readonly adapter: DialectAdapter;
  /** SQL reference to a column, qualified with the statement's alias where it has one. */
  readonly columnRef: (column: ModelColumn) => string;
  readonly bind: Bind;
  /** Converts a value to what the driver stores for the column (transformers, booleans, dates). */
  readonly toDatabase: (column: ModelColumn, value: unknown) => unknown;
}

const TRUE = '1 = 1';
const FALSE = '1 = 0';

/**
 * Compiles a filter tree to a SQL boolean expression with named placeholders.
 *
 * NULL semantics are those of a two-valued filter, identical on every dialect:
 * `ne`/`nin` match NULLs (a NULL salary is "not 5000"), comparisons never do, and `$not`
 * matches exactly the rows its filter does not.
 */
export function compileFilter(node: FilterNode, ctx: FilterCompileContext): string {
  switch (node.kind) {
    case 'and':
      return junction(node.children, ' AND ', TRUE, ctx);
    case 'or':
      return junction(node.children, ' OR ', FALSE, ctx);
    case 'not':
      // NOT of an unknown (NULL) result would drop the row; COALESCE makes it a plain complement.
      return `NOT COALESCE(${compileFilter(node.child, ctx)}, FALSE)`;
    case 'condition':
      return compileCondition(node, ctx);
    default:
      return unreachable(node);
  }
}

/**
 * Most children of one AND/OR written as a flat run. A longer junction nests in balanced halves,
 * so its SQL is at most `FLAT_RUN + log2(children)` operators deep: SQLite counts each operator of
 * a flat run as one level of its expression tree and refuses a tree over 1,000 deep
 * (SQLITE_MAX_EXPR_DEPTH): written flat, an `$or` of 999 conditions was refused.
 */
const FLAT_RUN = 8;

function junction(
  children: readonly FilterNode[],
  op: string,
  empty: string,
  ctx: FilterCompileContext,
) {
  if (children.length === 0) return empty;
  if (children.length === 1) return compileFilter(children[0]!, ctx);
  // Grouping keeps the children in order, so placeholders stay numbered as the SQL reads.
  return balanced(
    children.map((c) => compileFilter(c, ctx)),
    op,
    0,
    children.length,
  );
}

function balanced(parts: readonly string[], op: string, from: number, to: number): string {
  if (to - from <= FLAT_RUN) return `(${parts.slice(from, to).join(op)})`;
  const middle = from + Math.ceil((to - from) / 2);
  return `(${balanced(parts, op, from, middle)}${op}${balanced(parts, op, middle, to)})`;
}

function compileCondition(node: ConditionNode, ctx: FilterCompileContext): string {
  const col = ctx.columnRef(node.column);
  const bind = (v: unknown) => ctx.bind(ctx.toDatabase(node.column, v));
  const { value } = node;
  switch (node.op) {
    case 'eq':
      return value === null ? `${col} IS NULL` : `${col} = ${bind(value)}`;
    case 'ne':
      return value === null ? `${col} IS NOT NULL` : `(${col} <> ${bind(value)} OR ${col} IS NULL)`;
    case 'lt':
      return `${col} < ${bind(value)}`;
    case 'lte':
      return `${col} <= ${bind(value)}`;
    case 'gt':
      return `${col} > ${bind(value)}`;
    case 'gte':
      return `${col} >= ${bind(value)}`;
    case 'between': {
      const [low, high] = value as readonly unknown[];
      return `${col} BETWEEN ${bind(low)} AND ${bind(high)}`;
    }
    case 'in':
      return membership(col, node, { negate: false }, ctx);
    case 'nin':
      return membership(col, node, { negate: true }, ctx);
    case 'isnull':
      return value ? `${col} IS NULL` : `${col} IS NOT NULL`;
    case 'isnotnull':
      return value ? `${col} IS NOT NULL` : `${col} IS NULL`;
    case 'contains':
    case 'startswith':
    case 'endswith':
      return match(col, node.op, value as string, { insensitive: false }, ctx);
    case 'icontains':
      return match(col, 'contains', value as string, { insensitive: true }, ctx);
    case 'istartswith':
      return match(col, 'startswith', value as string, { insensitive: true }, ctx);
    case 'iendswith':
      return match(col, 'endswith', value as string, { insensitive: true }, ctx);
    default:
      return unreachable(node.op);
  }
}

/**
 * `in: []` matches nothing, `nin: []` everything; a `null` in the list means IS NULL. The list
 * itself is the dialect's (`SqlSyntax.inList`): one array parameter on PostgreSQL
 * (and for long lists on SQLite), so that its length is not bounded by bind parameters.
 */
function membership(
  col: string,
  node: ConditionNode,
  { negate }: { readonly negate: boolean },
  ctx: FilterCompileContext,
): string {
  const list = node.value as readonly unknown[];
  const values = list.filter((v) => v !== null).map((v) => ctx.toDatabase(node.column, v));
  const hasNull = values.length < list.length;
  const inList =
    values.length > 0 ? `${col} ${ctx.adapter.syntax.inList(values, negate, ctx.bind)}` : undefined;
  if (!negate) {
    if (!inList) return hasNull ? `${col} IS NULL` : FALSE;
    return hasNull ? `(${inList} OR ${col} IS NULL)` : inList;
  }
  if (!inList) return hasNull ? `${col} IS NOT NULL` : TRUE;
  return hasNull ? `(${inList} AND ${col} IS NOT NULL)` : `(${inList} OR ${col} IS NULL)`;
}

function match(
  col: string,
  mode: MatchMode,
  value: string,
  { insensitive }: { readonly insensitive: boolean },
  ctx: FilterCompileContext,
) {
  // Every non-null string contains, starts and ends with the empty string.
  if (value === '') return `${col} IS NOT NULL`;
  return insensitive
    ? ctx.adapter.syntax.matchCaseInsensitive(col, mode, value, ctx.bind)
    : ctx.adapter.syntax.matchCaseSensitive(col, mode, value, ctx.bind);
}
