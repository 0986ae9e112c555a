import type { ObjectLiteral } from 'typeorm';
import { bulkCreate } from '../bulk/bulk-create';
import { BulkOperationError } from '../errors';
import { isRowLevelError } from '../bulk/bisect';
import { underSavepoint } from '../bulk/savepoint';
import type { RowOutcome } from '../bulk/row-outcome';
import type { RepositoryContext } from '../repository/repository-context';
import { insertRow } from '../repository/insert-row';
import type { EntityId } from '../repository/repository-events';
import type { AppliedKey, AppliedKeys } from './applied-keys';
import type { DrainEntry, EntryResult } from './drain-entry';

/**
 * Writes one group of entries (one entity, tenant, operation and column signature) in one
 * transaction: the keys already applied are skipped, the rest go through `bulkCreate` (its
 * error isolation, real ids, one `bulkCreated` event and one cache invalidation at commit), and
 * the keys of the rows stored are recorded in the same transaction. A forced entry is written
 * alone by the single-row insert (`create`'s path and its `created` event).
 *
 * Resolves with each entry's result after the commit; rejects when the transaction failed as a
 * whole (nothing of it is stored, or, with an unknown outcome, the keys say so on the retry).
 */
export async function writeGroup<T extends ObjectLiteral>(
  base: RepositoryContext<T>,
  entries: readonly DrainEntry[],
  appliedKeys: AppliedKeys,
  now: () => number,
): Promise<EntryResult[]> {
  const first = entries[0]!.payload;
  const results = new Array<EntryResult | undefined>(entries.length);
  await base.run(() =>
    base.manager.transaction(async (manager) => {
      results.fill(undefined);
      const context = base.withManager(manager).withTenant(first.tenant);
      const keys = entries.map((e) => e.payload.idempotencyKey);
      const applied = await appliedKeys.find(context, keys);
      // The first entry of a key is written; later ones with that key share its result.
      const firstOfKey = new Map<string, number>();
      const fresh: number[] = [];
      entries.forEach((entry, i) => {
        const key = entry.payload.idempotencyKey;
        if (applied.has(key)) results[i] = { kind: 'duplicate', entityId: applied.get(key)! };
        else if (!firstOfKey.has(key)) {
          firstOfKey.set(key, i);
          fresh.push(i);
        }
      });
      const written =
        fresh.length === 1 && first.forceIndividual
          ? [await writeAlone(context, entries[fresh[0]!]!)]
          : await writeBulk(
              context,
              fresh.map((i) => entries[i]!),
            );
      const recorded: AppliedKey[] = [];
      written.forEach((result, k) => {
        const i = fresh[k]!;
        results[i] = result;
        if (result.kind === 'stored') {
          const entityId = result.entityId === undefined ? null : String(result.entityId);
          recorded.push({ key: entries[i]!.payload.idempotencyKey, entityId });
        }
      });
      await appliedKeys.record(context, recorded, now());
    }),
  );
  return entries.map((entry, i) => {
    const own = results[i];
    if (own) return own;
    const result = results[indexOfKey(entries, entry.payload.idempotencyKey)]!;
    return result.kind === 'stored'
      ? {
          kind: 'duplicate',
          entityId: result.entityId === undefined ? null : String(result.entityId),
        }
      : result;
  });
}

function indexOfKey(entries: readonly DrainEntry[], key: string): number {
  return entries.findIndex((e) => e.payload.idempotencyKey === key);
}

/** The bulk path, with the entries' operation; one result per entry, in order. */
async function writeBulk<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  entries: readonly DrainEntry[],
): Promise<EntryResult[]> {
  if (entries.length === 0) return [];
  const outcomes = new Array<RowOutcome<T> | undefined>(entries.length);
  const report = (index: number, outcome: RowOutcome<T>) => {
    outcomes[index] = outcome;
  };
  const { operation } = entries[0]!.payload;
  const options =
    operation.kind === 'upsert'
      ? { onConflict: 'update' as const, conflictTarget: operation.conflictTarget as never[] }
      : {};
  const values = entries.map((e) => e.payload.values);
  await bulkCreate(context, values, options, { report, prepared: true });
  return Array.from(outcomes, (outcome): EntryResult => {
    switch (outcome?.kind) {
      case 'inserted':
      case 'updated':
        return {
          kind: 'stored',
          entityId: outcome.id as EntityId | undefined,
          record: outcome.record,
        };
      case 'skipped':
        return { kind: 'stored', entityId: undefined };
      case 'failed':
        return {
          kind: 'failed',
          code: outcome.code,
          message: outcome.message,
          error: outcome.error,
        };
      default:
        // bulkCreate settles every row it returns from; a gap fails the group, never loses an entry.
        throw BulkOperationError.noOutcome(context.model.name, 'gave no outcome for an entry');
    }
  });
}

/** The single-row path for a forced entry, under a savepoint so a refused row keeps the transaction. */
async function writeAlone<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  entry: DrainEntry,
): Promise<EntryResult> {
  const { payload } = entry;
  if (payload.operation.kind === 'upsert') return (await writeBulk(context, [entry]))[0]!;
  try {
    const stored = await underSavepoint(context, () =>
      insertRow(context, payload.values, payload.tenant),
    );
    const entityId = stored[context.model.primary.property] as EntityId;
    return { kind: 'stored', entityId, record: stored };
  } catch (error) {
    if (!isRowLevelError(error)) throw error;
    return { kind: 'failed', code: error.code, message: error.message, error };
  }
}
