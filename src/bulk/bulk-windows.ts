import type { ModelColumn } from '../model/entity-model';
import { keyOfValues } from './row-keys';
import type { PreparedRow } from './row-preparer';

/** The values a window holds of each unique key of the model, in the model's key order. */
export type WindowKeys = readonly ReadonlySet<string>[];

/** Whether two windows share a value of the same unique key. */
export function intersects(a: WindowKeys, b: WindowKeys): boolean {
  return a.some((values, k) => {
    const other = b[k]!;
    const [small, large] = values.size <= other.size ? [values, other] : [other, values];
    for (const value of small) if (large.has(value)) return true;
    return false;
  });
}

/** The input in windows of `size` rows; arrays are sliced, iterables pulled as needed. */
export async function* windows(rows: Iterable<unknown> | AsyncIterable<unknown>, size: number) {
  if (Array.isArray(rows)) {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
    return;
  }
  let window: unknown[] = [];
  for await (const row of rows) {
    window.push(row);
    if (window.length === size) {
      yield window;
      window = [];
    }
  }
  if (window.length > 0) yield window;
}

/**
 * An upsert keeps the last row per conflict key, so that PostgreSQL never meets "ON CONFLICT
 * DO UPDATE command cannot affect row a second time"; the earlier rows (`waiting`) count as
 * applied once the row kept for their key (its input index in `winners`) is stored.
 */
export function lastPerKey(rows: readonly PreparedRow[], key: readonly ModelColumn[]) {
  const winners = new Map<string, number>();
  for (const row of rows) {
    const k = keyOfValues(row.values, key);
    if (k !== undefined) winners.set(k, row.index);
  }
  const kept: PreparedRow[] = [];
  const waiting: PreparedRow[] = [];
  for (const row of rows) {
    const k = keyOfValues(row.values, key);
    if (k === undefined || winners.get(k) === row.index) kept.push(row);
    else waiting.push(row);
  }
  return { rows: kept, waiting, winners };
}
