import { ValueBinding } from './value-binding';

/** node-postgres's binding: arrays as arrays, booleans parsed (or `'t'` in text format). */
export class PostgresBinding extends ValueBinding {
  /** node-postgres sends an array as an array literal; the server infers its element type. */
  override bindableArray(values: readonly unknown[]): unknown {
    return values;
  }

  /** node-postgres parses booleans; a text-format result carries `'t'`. */
  override readBoolean(value: unknown): boolean {
    return value === true || value === 't';
  }
}
