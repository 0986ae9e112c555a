import type { DialectAdapter } from '../dialects/dialect-adapter';

/**
 * Collects the values of one hand-built statement and hands out the dialect's positional
 * placeholders (`$1, $2` on PostgreSQL, `?` elsewhere) in binding order.
 */
export class PositionalParameters {
  readonly values: unknown[] = [];

  constructor(private readonly adapter: DialectAdapter) {}

  /** Binds `value` and returns its placeholder. */
  readonly bind = (value: unknown): string => {
    this.values.push(value);
    return this.adapter.syntax.placeholder(this.values.length - 1);
  };
}
