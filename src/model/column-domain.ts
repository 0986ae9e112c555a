import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * The values a column can hold, from its declared type, with one rule on every dialect: an `int`
 * holds what a 32-bit `int` holds on PostgreSQL and MySQL, though SQLite would store more, and a
 * text never holds NUL, which PostgreSQL refuses. Values are checked against it before SQL, so
 * that a bad value is a typed error naming the field everywhere, not a server error on one
 * dialect and a silent coercion on another.
 */
export type ColumnDomain =
  | IntegerDomain
  | { readonly kind: 'decimal'; readonly integerDigits?: number }
  | { readonly kind: 'float' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'string'; readonly length?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date'; readonly dateOnly: boolean }
  | { readonly kind: 'other' };

export interface IntegerDomain {
  readonly kind: 'integer';
  readonly min: bigint;
  readonly max: bigint;
  /** Ids and bounds beyond 2^53 go as decimal strings, which every driver binds exactly. */
  readonly wide: boolean;
}

/** Bits of each integer type, signed. */
const INTEGER_BITS: Readonly<Record<string, number>> = Object.freeze({
  tinyint: 8,
  int2: 16,
  smallint: 16,
  mediumint: 24,
  int: 32,
  int4: 32,
  integer: 32,
  int8: 64,
  bigint: 64,
});

const DECIMAL_TYPES = new Set(['decimal', 'numeric', 'dec', 'fixed']);
const FLOAT_TYPES = new Set(['float', 'float4', 'float8', 'double', 'double precision', 'real']);
const STRING_TYPES = new Set([
  'varchar',
  'character varying',
  'char',
  'character',
  'nvarchar',
  'nchar',
  'text',
  'tinytext',
  'mediumtext',
  'longtext',
  'citext',
  'string',
]);
const DATETIME_TYPES = new Set([
  'datetime',
  'timestamp',
  'timestamptz',
  'timestamp without time zone',
  'timestamp with time zone',
]);

/** The domain of a column from its metadata; a transformed column is `'other'` (not ours to check). */
export function domainOf(column: ColumnMetadata): ColumnDomain {
  if (column.transformer) return { kind: 'other' };
  const declared = column.type;
  const type =
    declared === Number
      ? 'integer'
      : declared === String
        ? 'varchar'
        : declared === Boolean
          ? 'boolean'
          : declared === Date
            ? 'datetime'
            : typeof declared === 'string'
              ? declared.toLowerCase()
              : '';
  const bits = INTEGER_BITS[type];
  if (bits !== undefined) return integerDomain(bits, column.unsigned === true);
  if (DECIMAL_TYPES.has(type)) {
    const { precision, scale } = column;
    return typeof precision === 'number'
      ? { kind: 'decimal', integerDigits: precision - (scale ?? 0) }
      : { kind: 'decimal' };
  }
  if (FLOAT_TYPES.has(type)) return { kind: 'float' };
  if (type === 'uuid') return { kind: 'uuid' };
  if (STRING_TYPES.has(type)) {
    const length = Number(column.length);
    return length > 0 ? { kind: 'string', length } : { kind: 'string' };
  }
  if (type === 'boolean' || type === 'bool') return { kind: 'boolean' };
  if (type === 'date') return { kind: 'date', dateOnly: true };
  if (DATETIME_TYPES.has(type)) return { kind: 'date', dateOnly: false };
  return { kind: 'other' };
}

function integerDomain(bits: number, unsigned: boolean): IntegerDomain {
  const span = 1n << BigInt(bits);
  const [min, max] = unsigned ? [0n, span - 1n] : [-(span >> 1n), (span >> 1n) - 1n];
  return { kind: 'integer', min, max, wide: bits > 32 };
}
