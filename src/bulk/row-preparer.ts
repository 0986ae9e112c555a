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

/** An input row that failed before any SQL; `error` is the typed error its caller would get. */
export interface RejectedRow extends BulkRowError {
  readonly index: number;
  readonly error: RepositoryError;
}

/**
 * What is checked of each input row: the Create DTO (`validate: true`), only that its keys are
 * writable columns (`validate: false`), or nothing, for values the library prepared itself.
 */
export type RowCheck = 'dto' | 'columns' | 'prepared';

/**
 * Turns caller input into {@link PreparedRow}s: validated against the Create DTO (unless
 * `validate: false`), restricted to real, non-managed columns, stamped with the tenant, and given
 * client-side UUIDs for generated UUID columns (so every id is known before the INSERT).
 * A row that fails becomes a {@link RejectedRow} with its index; nothing throws.
 */
export class RowPreparer<T extends ObjectLiteral> {
  readonly #uuidColumns: readonly string[];

  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly check: RowCheck,
    private readonly tenant: string | undefined,
  ) {
    this.#uuidColumns = context.model.columns
      .filter((c) => c.metadata.generationStrategy === 'uuid')
      .map((c) => c.property);
  }

  /**
   * Prepares one row: synchronously unless the DTO's validation is asynchronous, sparing a large
   * load a promise per row.
   */
  prepare(
    input: unknown,
    index: number,
  ): PreparedRow | RejectedRow | Promise<PreparedRow | RejectedRow> {
    try {
      const values = this.#values(input, index);
      if (values instanceof Promise) {
        return values
          .then((checked) => this.#stamped(index, checked))
          .catch((error: unknown) => rejected(index, error));
      }
      return this.#stamped(index, values);
    } catch (error) {
      return rejected(index, error);
    }
  }

  #values(
    input: unknown,
    index: number,
  ): Record<string, unknown> | Promise<Record<string, unknown>> {
    switch (this.check) {
      case 'dto':
        return this.context.validated('create', input, index);
      case 'columns':
        return this.context.checkColumns(plainValues(input), index);
      case 'prepared':
        return input as Record<string, unknown>;
    }
  }

  #stamped(index: number, values: Record<string, unknown>): PreparedRow {
    this.context.tenant.stamp(values, this.tenant);
    for (const property of this.#uuidColumns) values[property] ??= randomUUID();
    return { index, values };
  }
}

/** A repository error as the row's rejection; anything else is a bug and propagates. */
function rejected(index: number, error: unknown): RejectedRow {
  if (!(error instanceof RepositoryError)) throw error;
  return { index, code: error.code, message: error.message, error };
}

function plainValues(input: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (typeof input !== 'object' || input === null) return values;
  const source = input as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== undefined) values[key] = value;
  }
  return values;
}

export function isPrepared(row: PreparedRow | RejectedRow): row is PreparedRow {
  return 'values' in row;
}
