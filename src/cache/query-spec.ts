import { createHash } from 'node:crypto';
import type { CachedOperation } from './cache-config';
import { encodeValue } from './cache-codec';

/**
 * A cached read as data: which operation, for which tenant, with which arguments. It is both the
 * cache key (hashed) and what the warmer re-runs later, so it must be complete and canonical.
 */
export interface QuerySpec {
  readonly op: CachedOperation;
  readonly tenant: string | undefined;
  /** The call's arguments: the id for findById, else `{ filters, orderBy, limit, offset, withDeleted }`. */
  readonly args: unknown;
}

/** The spec in canonical form: object keys sorted at every depth, types kept (Date, bigint). */
export function canonicalSpec(spec: QuerySpec): string {
  return encodeValue({ op: spec.op, tenant: spec.tenant ?? null, args: sortKeys(spec.args) });
}

/** The cache key of a query spec: the operation and tenant in clear, then a hash of the rest. */
export function specKey(spec: QuerySpec, canonical = canonicalSpec(spec)): string {
  const hash = createHash('sha1').update(canonical).digest('base64url').slice(0, 22);
  return `${spec.op}:${spec.tenant ?? ''}:${hash}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (
    value === null ||
    typeof value !== 'object' ||
    value instanceof Date ||
    Buffer.isBuffer(value)
  ) {
    return value;
  }
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}
