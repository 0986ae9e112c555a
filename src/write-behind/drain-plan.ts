import type { DrainEntry } from './drain-entry';

/**
 * Groups entries that may share one transaction and one bulk INSERT: same tenant, operation and
 * column signature (the sorted property names). A forced entry, or every entry with batching
 * off, is a group of its own. Groups hold at most `batchSize` entries, in stream order.
 */
export function planGroups(
  entries: readonly DrainEntry[],
  batchSize: number,
  batching: boolean,
): DrainEntry[][] {
  const groups = new Map<string, DrainEntry[][]>();
  const alone: DrainEntry[][] = [];
  for (const entry of entries) {
    const { payload } = entry;
    if (!batching || payload.forceIndividual) {
      alone.push([entry]);
      continue;
    }
    const { operation } = payload;
    const op = operation.kind === 'create' ? 'c' : `u:${operation.conflictTarget.join(',')}`;
    const key = `${payload.tenant ?? ''}\u0001${op}\u0001${signatureOf(payload.values)}`;
    let chunks = groups.get(key);
    if (!chunks) groups.set(key, (chunks = [[]]));
    let last = chunks[chunks.length - 1]!;
    if (last.length >= batchSize) chunks.push((last = []));
    last.push(entry);
  }
  return [...[...groups.values()].flat(), ...alone];
}

/** The sorted property names of an entry's values: entries with one signature share a statement. */
export function signatureOf(values: Readonly<Record<string, unknown>>): string {
  return Object.keys(values).sort().join('\u0000');
}
