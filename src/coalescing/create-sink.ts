import type { ObjectLiteral } from 'typeorm';
import { bulkCreate } from '../bulk/bulk-create';
import type { RowOutcome } from '../bulk/row-outcome';
import { KEY_CHUNK, keyString } from '../bulk/key-reader';
import { selectByKeys } from '../bulk/row-keys';
import type { PreparedRow } from '../bulk/row-preparer';
import { BulkOperationError, NotFoundError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import { insertRow } from '../repository/insert-row';
import type { BatchSink, Settled } from './write-coalescer';

/** A validated entry waiting for its batch: its values, tenant already stamped. */
export interface PendingCreate {
  readonly values: Record<string, unknown>;
  readonly tenant: string | undefined;
}

/**
 * Writes a group of one repository's creates through `bulkCreate` (one multi-row INSERT, bad rows
 * isolated by halving, one `bulkCreated` event and one cache invalidation per flush) and gives each
 * entry its stored row or its typed error. Every entry of a group has the same tenant.
 */
export class CreateSink<T extends ObjectLiteral> implements BatchSink<PendingCreate, T> {
  readonly name: string;

  constructor(private readonly context: RepositoryContext<T>) {
    this.name = context.model.name;
  }

  async writeBatch(entries: readonly PendingCreate[]): Promise<Settled<T>[]> {
    const context = this.context.withTenant(entries[0]?.tenant);
    const outcomes = new Array<RowOutcome<T> | undefined>(entries.length);
    let failure: unknown;
    try {
      const report = (index: number, outcome: RowOutcome<T>) => {
        outcomes[index] = outcome;
      };
      // Validated, checked and stamped when called: written as they are.
      const values = entries.map((e) => e.values);
      await bulkCreate(context, values, {}, { report, prepared: true });
    } catch (error) {
      // Rows written before the failure are stored; their callers still get them.
      failure = error;
    }
    let records = new Map<string, T>();
    let readFailure: unknown;
    try {
      records = await this.#readMissing(context, outcomes);
    } catch (error) {
      readFailure = error; // the rows are stored, but their callers cannot be given them
    }
    // Array.from visits every index; `outcomes.map` would skip the entries a failure left unset.
    return Array.from(outcomes, (outcome): Settled<T> => {
      const unexplained = () =>
        failure ??
        BulkOperationError.noOutcome(
          this.name,
          `reported ${outcome?.kind ?? 'nothing'} for an entry`,
        );
      if (outcome?.kind === 'failed') return { ok: false, error: outcome.error ?? unexplained() };
      if (outcome?.kind !== 'inserted') return { ok: false, error: unexplained() };
      const record =
        outcome.record ??
        (outcome.id === undefined ? undefined : records.get(keyString(context, outcome.id)));
      if (record) return { ok: true, value: record };
      return { ok: false, error: readFailure ?? new NotFoundError(this.name, outcome.id) };
    });
  }

  writeOne(entry: PendingCreate): Promise<T> {
    return insertRow(this.context.withTenant(entry.tenant), entry.values, entry.tenant);
  }

  /**
   * Where the INSERT returned no rows (no RETURNING), one `SELECT * … WHERE pk IN (…)` gets them
   * all, hydrated column by column as a returned row is. No guards: these are the rows just
   * inserted.
   */
  async #readMissing(
    context: RepositoryContext<T>,
    outcomes: readonly (RowOutcome<T> | undefined)[],
  ): Promise<Map<string, T>> {
    const { primary, columns } = context.model;
    const keys: PreparedRow[] = [];
    for (const outcome of outcomes) {
      if (outcome?.kind === 'inserted' && !outcome.record && outcome.id !== undefined) {
        keys.push({ index: keys.length, values: { [primary.property]: outcome.id } });
      }
    }
    const found = new Map<string, T>();
    for (let start = 0; start < keys.length; start += KEY_CHUNK) {
      const chunk = keys.slice(start, start + KEY_CHUNK);
      const { rows } = await context.execute(selectByKeys(context, [primary], chunk, columns));
      for (const raw of rows) {
        const record = context.hydrate(raw);
        found.set(keyString(context, record[primary.property]), record);
      }
    }
    return found;
  }
}
