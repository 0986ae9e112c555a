import type { IntegerDomain } from '../model/column-domain';
import { inRange } from '../model/column-values';
import { MATCH_ALL, type ConditionNode, type FilterNode } from './filter-node';

/** The operators whose value is one number, which a whole number in range leaves as it is. */
const COMPARISONS: ReadonlySet<ConditionNode['op']> = new Set([
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
]);

function isPlainInteger(value: unknown, domain: IntegerDomain): boolean {
  return (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    !Object.is(value, -0) &&
    value >= domain.min &&
    value <= domain.max
  );
}

/** The filter that matches no row. */
const MATCH_NONE: FilterNode = Object.freeze({ kind: 'or', children: Object.freeze([]) });

/**
 * A condition on an integer column, with any number, rewritten into whole bounds within the
 * column's range, so that it compares numerically and alike on every dialect: PostgreSQL refuses
 * `int_col < 1942.1` as a bind value, and MySQL's write conversion would make it `< 1942`.
 *
 * `year__lt: 1942.1` is `year <= 1942`; `year: 1942.5` matches nothing and `year__ne: 1942.5`
 * every row; `qty__lt: 2 ** 40` on an `int` is every non-NULL row. Values bind as numbers, or as
 * exact decimal strings on 64-bit columns.
 */
export function integerCondition(node: ConditionNode, domain: IntegerDomain): FilterNode {
  // The common case, a whole number in range compared on a 32-bit column, is bound as it is.
  if (COMPARISONS.has(node.op) && !domain.wide && isPlainInteger(node.value, domain)) return node;
  const bound = (n: bigint) => (domain.wide ? n.toString() : Number(n));
  const exact = (v: unknown) => {
    const r = rational(v);
    return r !== undefined && r.floor === r.ceil && inRange(domain, r.floor) ? r.floor : undefined;
  };
  const make = (op: ConditionNode['op'], value: unknown): FilterNode =>
    Object.freeze({ ...node, op, value });
  const notNull = () => make('isnull', false);
  /** `col <= n`, clamped to the range. */
  const atMost = (n: bigint) =>
    n < domain.min ? MATCH_NONE : n >= domain.max ? notNull() : make('lte', bound(n));
  /** `col >= n`, clamped to the range. */
  const atLeast = (n: bigint) =>
    n > domain.max ? MATCH_NONE : n <= domain.min ? notNull() : make('gte', bound(n));
  const { value } = node;
  switch (node.op) {
    case 'eq':
    case 'ne': {
      if (value === null) return node;
      const n = exact(value);
      if (n !== undefined) return make(node.op, bound(n));
      // No stored integer equals it: `ne` matches every row, NULLs included, as `ne` does.
      return node.op === 'eq' ? MATCH_NONE : MATCH_ALL;
    }
    case 'in':
    case 'nin': {
      const list = (value as readonly unknown[]).flatMap((v) => {
        if (v === null) return [null];
        const n = exact(v);
        return n === undefined ? [] : [bound(n)];
      });
      return make(node.op, Object.freeze(list));
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      // A whole number in range is bound as it is; only fractions and overflows are rewritten.
      const n = exact(value);
      if (n !== undefined) return make(node.op, bound(n));
      const r = rational(value)!;
      if (node.op === 'lt') return atMost(r.ceil - 1n);
      if (node.op === 'lte') return atMost(r.floor);
      return node.op === 'gt' ? atLeast(r.floor + 1n) : atLeast(r.ceil);
    }
    case 'between': {
      const [low, high] = (value as readonly unknown[]).map((v) => rational(v)!);
      const from = low!.ceil > domain.min ? low!.ceil : domain.min;
      const to = high!.floor < domain.max ? high!.floor : domain.max;
      return from > to ? MATCH_NONE : make('between', Object.freeze([bound(from), bound(to)]));
    }
    default:
      return node;
  }
}

/** The whole numbers at or below and at or above a number, exactly (strings past 2^53 too). */
function rational(value: unknown): { floor: bigint; ceil: bigint } | undefined {
  if (typeof value === 'bigint') return { floor: value, ceil: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const floor = BigInt(Math.floor(value));
    return { floor, ceil: Number.isInteger(value) ? floor : floor + 1n };
  }
  if (typeof value === 'string') {
    const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(value);
    if (!m) return undefined;
    const negative = m[1] === '-';
    const whole = BigInt(m[2]!) * (negative ? -1n : 1n);
    const fractional = /[1-9]/.test(m[3] ?? '');
    if (!fractional) return { floor: whole, ceil: whole };
    return negative ? { floor: whole - 1n, ceil: whole } : { floor: whole, ceil: whole + 1n };
  }
  return undefined;
}
