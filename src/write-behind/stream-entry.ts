import { decodeValue, encodeValue } from '../cache/cache-codec';

/** What a stream entry asks the drainer to do: insert, or upsert on these properties. */
export type EntryOperation =
  | { readonly kind: 'create' }
  | { readonly kind: 'upsert'; readonly conflictTarget: readonly string[] };

/** One enqueued write as the producer built it: validated, tenant-stamped values. */
export interface EntryPayload {
  readonly idempotencyKey: string;
  readonly operation: EntryOperation;
  /** Validated values by property name, the tenant column already stamped. */
  readonly values: Record<string, unknown>;
  readonly tenant: string | undefined;
  /** Written on its own (the single-row path), never in a batch. */
  readonly forceIndividual: boolean;
  /** The pub/sub channel an `awaitStored` caller waits on for the outcome. */
  readonly replyTo?: string;
}

// Field names of an entry: short, as they are stored with every entry.
const KEY = 'k';
const OPERATION = 'o';
const VALUES = 'v';
const TENANT = 't';
const FORCE = 'f';
const REPLY_TO = 'r';

/** The entry as XADD's field/value list; values keep their types through Redis (cache codec). */
export function entryFields(entry: EntryPayload): string[] {
  const { operation } = entry;
  const fields = [
    KEY,
    entry.idempotencyKey,
    OPERATION,
    operation.kind === 'create' ? 'c' : `u:${operation.conflictTarget.join(',')}`,
    VALUES,
    encodeValue(entry.values),
  ];
  if (entry.tenant !== undefined) fields.push(TENANT, entry.tenant);
  if (entry.forceIndividual) fields.push(FORCE, '1');
  if (entry.replyTo !== undefined) fields.push(REPLY_TO, entry.replyTo);
  return fields;
}

/**
 * An entry read back from its field/value list, or a reason it cannot be: written by something
 * else, or by an incompatible version.
 */
export function parseEntry(fields: readonly string[]): EntryPayload | { readonly invalid: string } {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const idempotencyKey = map.get(KEY);
  const op = map.get(OPERATION);
  const text = map.get(VALUES);
  if (!idempotencyKey || !op || text === undefined) return { invalid: 'missing fields' };
  let values: unknown;
  try {
    values = decodeValue(text);
  } catch {
    return { invalid: 'values are not valid JSON' };
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    return { invalid: 'values are not an object' };
  }
  let operation: EntryOperation;
  if (op === 'c') operation = { kind: 'create' };
  else if (op.startsWith('u:') && op.length > 2) {
    operation = { kind: 'upsert', conflictTarget: op.slice(2).split(',') };
  } else return { invalid: `unknown operation ${op}` };
  return {
    idempotencyKey,
    operation,
    values: values as Record<string, unknown>,
    tenant: map.get(TENANT),
    forceIndividual: map.get(FORCE) === '1',
    ...(map.has(REPLY_TO) ? { replyTo: map.get(REPLY_TO) } : {}),
  };
}
