/**
 * A plain in-memory evaluator of the filter semantics documented in docs/filters.md. It shares
 * no code with src/filters, so that the property test compares two independent implementations.
 */
export type Row = Record<string, unknown>;

export interface OracleOptions {
  /** MySQL's default collations compare strings case-insensitively in =, <> and IN. */
  readonly caseInsensitiveEquality: boolean;
}

export function matches(row: Row, filter: Record<string, unknown>, opts: OracleOptions): boolean {
  return Object.entries(filter).every(([key, value]) => {
    if (value === undefined) return true;
    if (key === '$or')
      return (value as Record<string, unknown>[]).some((f) => matches(row, f, opts));
    if (key === '$and')
      return (value as Record<string, unknown>[]).every((f) => matches(row, f, opts));
    if (key === '$not') return !matches(row, value as Record<string, unknown>, opts);
    const at = key.indexOf('__');
    const field = at < 0 ? key : key.slice(0, at);
    const op = at < 0 ? 'eq' : key.slice(at + 2);
    return test(row[field], op, value, opts);
  });
}

function test(v: unknown, op: string, x: unknown, opts: OracleOptions): boolean {
  const eq = (a: unknown, b: unknown) => {
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (typeof a === 'string' && typeof b === 'string' && opts.caseInsensitiveEquality) {
      return a.toLowerCase() === b.toLowerCase();
    }
    return a === b;
  };
  const num = (a: unknown) => (a instanceof Date ? a.getTime() : (a as number));
  const isIn = (list: unknown[]) =>
    list.some((e) => (e === null ? v === null : v !== null && eq(v, e)));
  const str = (s: unknown) => s as string;
  const lower = (s: unknown) => simpleLowercase(str(s));
  switch (op) {
    case 'eq':
      return x === null ? v === null : v !== null && eq(v, x);
    case 'ne':
      return !test(v, 'eq', x, opts);
    case 'lt':
      return v !== null && num(v) < num(x);
    case 'lte':
      return v !== null && num(v) <= num(x);
    case 'gt':
      return v !== null && num(v) > num(x);
    case 'gte':
      return v !== null && num(v) >= num(x);
    case 'between': {
      const [lo, hi] = x as unknown[];
      return v !== null && num(v) >= num(lo) && num(v) <= num(hi);
    }
    case 'in':
      return isIn(x as unknown[]);
    case 'nin':
      return !isIn(x as unknown[]);
    case 'isnull':
      return (v === null) === x;
    case 'isnotnull':
      return (v !== null) === x;
    case 'contains':
      return v !== null && str(v).includes(str(x));
    case 'icontains':
      return v !== null && lower(v).includes(lower(x));
    case 'startswith':
      return v !== null && str(v).startsWith(str(x));
    case 'istartswith':
      return v !== null && lower(v).startsWith(lower(x));
    case 'endswith':
      return v !== null && str(v).endsWith(str(x));
    case 'iendswith':
      return v !== null && lower(v).endsWith(lower(x));
    default:
      throw new Error(`oracle: unknown operator ${op}`);
  }
}

/**
 * docs/filters.md's case folding of `icontains` …: each code point by itself (so `Σ` is never
 * the final `ς`), and `İ` to `i`, the one letter whose JS lowercase is two code points.
 */
export function simpleLowercase(s: string): string {
  let out = '';
  for (const ch of s) out += ch === '\u0130' ? 'i' : ch.toLowerCase();
  return out;
}
