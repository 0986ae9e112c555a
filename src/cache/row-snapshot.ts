/**
 * Cached rows are plain snapshots, copied on the way in and on the way out, so that a caller who
 * mutates an entity it was given (a Date, a JSON column) can never change what the cache holds.
 */
export type RowSnapshot = Readonly<Record<string, unknown>>;

export function snapshotOf(entity: object): RowSnapshot {
  return copyInto({}, entity as Record<string, unknown>);
}

/** An entity instance (with the entity's prototype) built from a snapshot. */
export function materialize<T>(snapshot: RowSnapshot, prototype: object): T {
  return copyInto(Object.create(prototype) as Record<string, unknown>, snapshot) as T;
}

function copyInto(target: Record<string, unknown>, source: RowSnapshot): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    const value = source[key];
    target[key] = typeof value === 'object' && value !== null ? copyValue(value) : value;
  }
  return target;
}

function copyValue(value: object): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  return structuredClone(value);
}
