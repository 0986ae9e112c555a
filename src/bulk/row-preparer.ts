import { randomUUID } from 'node:crypto';
import type { ObjectLiteral } from 'typeorm';
import { RepositoryError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import type { BulkRowError } from './bulk-result';

/** An input row that passed validation: its input index and its values by property name. */
export interface PreparedRow {
  readonly index: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Turns caller input into {@link PreparedRow}s: validated against the Create DTO (unless
 * `validate: false`), restricted to real, non-managed columns, stamped with the tenant, and given
 * client-side UUIDs for generated UUID columns (so every id is known before the INSERT).
 * A row that fails becomes a {@link BulkRowError} with its index; nothing throws.
 */
export class RowPreparer<T extends ObjectLiteral> {
  readonly #uuidColumns: readonly string[];

  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly validate: boolean,
    private readonly tenant: string | undefined,
  ) {
    this.#uuidColumns = context.model.columns
      .filter((c) => c.metadata.generationStrategy === 'uuid')
      .map((c) => c.property);
  }

  async prepare(input: unknown, index: number): Promise<PreparedRow | BulkRowError> {
    try {
      const values = this.validate
        ? await this.context.validated('create', input, index)
        : this.context.checkColumns(plainValues(input), index);
      this.context.parts.tenant.stamp(values, this.tenant);
      for (const property of this.#uuidColumns) values[property] ??= randomUUID();
      return { index, values };
    } catch (error) {
      if (!(error instanceof RepositoryError)) throw error;
      return { index, code: error.code, message: error.message };
    }
  }
}

function plainValues(input: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (typeof input !== 'object' || input === null) return values;
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) values[key] = value;
  }
  return values;
}

export function isPrepared(row: PreparedRow | BulkRowError): row is PreparedRow {
  return 'values' in row;
}
