/**
 * A cheap estimate of a value's in-memory size in bytes, for bounding the in-process cache by
 * bytes. It walks the value once; it does not need to be exact, only proportional.
 */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16;
    case 'object': {
      if (value === null) return 8;
      if (value instanceof Date) return 48;
      if (Buffer.isBuffer(value)) return 64 + value.length;
      let total = 32;
      if (Array.isArray(value)) {
        for (const item of value) total += estimateBytes(item);
        return total;
      }
      for (const [key, item] of Object.entries(value))
        total += 16 + key.length + estimateBytes(item);
      return total;
    }
    default:
      return 16;
  }
}
