import type { DialectAdapter } from '../dialects/dialect-adapter';
import { QueryError } from '../errors';

/**
 * A named parameter's value in the form the dialect's driver binds correctly:
 * strings, numbers, Buffers and null as they are; bigints, booleans and Dates as the dialect
 * adapter says (1/0 and UTC text on SQLite); plain objects (and anything with `toJSON`) as JSON
 * text; arrays as the adapter's array value (a PostgreSQL array, JSON text elsewhere).
 * @param name the parameter, for the error (`ids[2]` for an element)
 * @throws QueryError `QUERY_PARAMETER_INVALID` for `undefined`, functions, symbols, invalid Dates,
 *   class instances without `toJSON`, and values JSON cannot encode (bigint, cycles)
 */
export function bindableValue(name: string, value: unknown, adapter: DialectAdapter): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
      return value;
    case 'bigint':
      return adapter.binding.bindableBigInt(value);
    case 'boolean':
      return adapter.binding.bindableBoolean(value);
    case 'object':
      return bindableObject(name, value, adapter);
    case 'undefined':
      throw QueryError.parameterInvalid(name, 'undefined has no SQL value (use null)');
    default:
      throw QueryError.parameterInvalid(name, `a ${typeof value} has no SQL value`);
  }
}

/** The elements of a list, each made bindable. */
export function bindableElements(
  name: string,
  values: readonly unknown[],
  adapter: DialectAdapter,
): unknown[] {
  return values.map((value, i) => bindableValue(`${name}[${i}]`, value, adapter));
}

function bindableObject(name: string, value: object, adapter: DialectAdapter): unknown {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw QueryError.parameterInvalid(name, 'an invalid Date');
    return adapter.binding.bindableDate(value);
  }
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    const elements = bindableElements(name, value, adapter);
    return encoding(name, () => adapter.binding.bindableArray(elements));
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  const plain = prototype === Object.prototype || prototype === null;
  if (plain || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return encoding(name, () => JSON.stringify(value));
  }
  const type = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  throw QueryError.parameterInvalid(name, `a ${type} has no SQL value; convert it first`);
}

/** Runs a JSON encoding, reporting what JSON cannot encode (a bigint, a cycle) as the parameter's. */
function encoding(name: string, encode: () => unknown): unknown {
  try {
    return encode();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw QueryError.parameterInvalid(name, `no JSON form (${why})`);
  }
}
