import type { DialectAdapter } from '../dialects/dialect-adapter';
import type { EntityModel, ModelColumn } from '../model/entity-model';
import { keyOfValues } from './row-keys';
import type { PreparedRow } from './row-preparer';

/** Rows that share a column signature and fit one statement. */
export interface PlannedChunk {
  readonly columns: readonly ModelColumn[];
  readonly rows: readonly PreparedRow[];
}

/** Headroom under MySQL's max_allowed_packet for the SQL text around the values. */
const PACKET_MARGIN = 0.75;

/**
 * Groups rows by column signature (the sorted set of keys each row defines, so a row never
 * writes DEFAULT over a column it left out) and cuts each group into chunks that fit the
 * dialect's bind-parameter limit, its packet size and `batchSize`. Groups keep the order in
 * which their first row appeared.
 *
 * A row whose unique-key value an earlier row of another signature carries goes to a later
 * generation of groups, written after that row's: otherwise its group, if it came first, would
 * store it and refuse (or skip) the earlier row, and the first occurrence must win.
 */
export function planChunks(
  rows: readonly PreparedRow[],
  model: EntityModel,
  adapter: DialectAdapter,
  batchSize: number,
): PlannedChunk[] {
  const generations: Map<string, PreparedRow[]>[] = [new Map()];
  const seen = new Map<string, { readonly generation: number; readonly signature: string }>();
  // Rows mostly repeat the previous row's keys in the same order: that row's signature is reused
  // without sorting and joining the keys again.
  let lastKeys: string[] = [];
  let signature = '';
  for (const row of rows) {
    const keys = Object.keys(row.values);
    if (!sameKeys(keys, lastKeys)) {
      signature = [...keys].sort().join('\u0000');
      lastKeys = keys;
    }
    let generation = 0;
    const uniqueKeys: string[] = [];
    model.uniqueKeys.forEach((key, k) => {
      const value = keyOfValues(row.values, key);
      if (value === undefined) return;
      const unique = `${k}:${value}`;
      uniqueKeys.push(unique);
      const earlier = seen.get(unique);
      if (earlier === undefined) return;
      const after = earlier.generation + (earlier.signature === signature ? 0 : 1);
      if (after > generation) generation = after;
    });
    for (const unique of uniqueKeys) seen.set(unique, { generation, signature });
    const groups = (generations[generation] ??= new Map());
    let group = groups.get(signature);
    if (group) group.push(row);
    else groups.set(signature, (group = [row]));
  }
  const chunks: PlannedChunk[] = [];
  for (const [signature, group] of generations.flatMap((groups) => [...groups])) {
    const columns = signature === '' ? [] : signature.split('\u0000').map((p) => model.column(p)!);
    const perStatement = Math.max(
      1,
      Math.min(
        batchSize,
        Math.floor(adapter.capabilities.maxBindParameters / Math.max(1, columns.length)),
      ),
    );
    const maxBytes = adapter.capabilities.maxStatementBytes * PACKET_MARGIN;
    let current: PreparedRow[] = [];
    let bytes = 0;
    for (const row of group) {
      const size = Number.isFinite(maxBytes) ? approximateBytes(row) : 0;
      if (current.length >= perStatement || (current.length > 0 && bytes + size > maxBytes)) {
        chunks.push({ columns, rows: current });
        current = [];
        bytes = 0;
      }
      current.push(row);
      bytes += size;
    }
    if (current.length > 0) chunks.push({ columns, rows: current });
  }
  return chunks;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** An upper-bound guess of a row's size in a text-protocol statement. */
function approximateBytes(row: PreparedRow): number {
  let bytes = 8;
  const { values } = row;
  for (const key in values) bytes += valueBytes(values[key]) + 3;
  return bytes;
}

/**
 * An upper bound on a value's text in a statement, without rendering it (this runs per row and
 * column): strings at 4 bytes a character (UTF-8 and escapes), numbers and dates at a fixed width.
 */
function valueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length * 4;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 32; // the longest double is 24 characters
    case 'bigint':
      return value.toString().length + 2;
  }
  if (value === null || value instanceof Date) return 32; // 'YYYY-MM-DD HH:MM:SS.ffffff'
  if (Buffer.isBuffer(value)) return value.length * 2 + 8;
  return (JSON.stringify(value) ?? String(value)).length * 4;
}
