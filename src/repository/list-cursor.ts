import type { ObjectLiteral } from 'typeorm';
import { FilterError } from '../errors';
import { comparisonValue } from '../filters/comparison-value';
import type { SortKey } from '../filters/order-by';

/**
 * Keyset cursors: the sort-key values of a page's last row, so that the next page starts right
 * after it (`WHERE (salary, id) < (…)` in effect) and a deep page costs what the first does.
 *
 * The cursor is base64url JSON `{ o, v }`: `o` names the order it was made for
 * (`'salary:DESC,id:DESC'`) and `v` holds one value per key, a Date as `{ d: iso }` and a bigint
 * as `{ n: '…' }`. It is no secret and no capability: the filters and the tenant guard apply to
 * every page, so an edited cursor can at most move where the page starts. One that does not
 * decode, was made for another order, or holds a value its column cannot hold is refused.
 */

type Encoded = string | number | boolean | null | { d: string } | { n: string };

function orderName(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.column.property}:${k.direction}`).join(',');
}

/** The cursor of `row` for `keys` (the full order, primary key included). */
export function encodeCursor<T extends ObjectLiteral>(keys: readonly SortKey[], row: T): string {
  const v = keys.map(({ column }): Encoded => {
    const value: unknown = row[column.property];
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return { d: value.toISOString() };
    if (typeof value === 'bigint') return { n: value.toString() };
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return value;
    }
    return String(value);
  });
  return Buffer.from(JSON.stringify({ o: orderName(keys), v })).toString('base64url');
}

/**
 * The key values a cursor holds, checked against `keys`.
 * @throws FilterError `FILTER_INVALID_CURSOR` (key `after`) for anything but a cursor of this order
 */
export function decodeCursor(cursor: unknown, keys: readonly SortKey[]): unknown[] {
  const invalid = (why: string) => FilterError.invalidCursor(why);
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) {
    throw invalid('expected a cursor string from a previous page (nextCursor)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('the cursor does not decode');
  }
  const { o, v } = (parsed ?? {}) as { o?: unknown; v?: unknown };
  if (o !== orderName(keys)) throw invalid(`the cursor was made for another order`);
  if (!Array.isArray(v) || v.length !== keys.length) throw invalid('the cursor is malformed');
  return keys.map(({ column }, i) => {
    const value = decoded(v[i]);
    if (value === undefined) throw invalid('the cursor is malformed');
    if (value === null) {
      if (!column.metadata.isNullable) throw invalid(`${column.property} cannot be NULL`);
      return null;
    }
    try {
      return comparisonValue('after', column, value);
    } catch {
      throw invalid(`the cursor holds no valid ${column.property}`);
    }
  });
}

function decoded(value: unknown): unknown {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  if (typeof value === 'object' && value !== null) {
    const { d, n } = value as { d?: unknown; n?: unknown };
    if (typeof d === 'string') {
      const date = new Date(d);
      return Number.isNaN(date.getTime()) ? undefined : date;
    }
    if (typeof n === 'string' && /^-?\d+$/.test(n)) return BigInt(n);
  }
  return undefined;
}
