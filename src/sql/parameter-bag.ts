/**
 * Collects bound values for one statement and hands out TypeORM named placeholders
 * (`:f0`, `:f1`, …). Every value in a compiled filter goes through here, never into the SQL.
 */
export class ParameterBag {
  readonly #values: Record<string, unknown> = {};
  #next = 0;

  constructor(readonly prefix = 'f') {}

  /** Binds `value` and returns its placeholder. */
  readonly bind = (value: unknown): string => {
    const name = `${this.prefix}${this.#next++}`;
    this.#values[name] = value;
    return `:${name}`;
  };

  get values(): Readonly<Record<string, unknown>> {
    return this.#values;
  }
}
