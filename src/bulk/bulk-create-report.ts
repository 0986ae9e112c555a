import type { ObjectLiteral } from 'typeorm';
import { BulkWriteIncompleteError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { PendingEvent } from '../repository/write-change';
import type { Settings } from './bulk-create-settings';
import { bulkEvents } from './bulk-events';
import { loadRecords } from './key-reader';

/** The rows a call inserted and updated, for its events; ids in input order where known. */
export interface Touched {
  readonly inserted: EntityId[];
  readonly updated: EntityId[];
  insertedCount: number;
  updatedCount: number;
}

/**
 * Reports the call's writes: cache invalidation and its events, at commit. After a `failure`
 * that may have written, every row entry is invalidated (which rows changed is not all known),
 * and events go out only for rows an interrupted call is known to have stored.
 */
export async function reportWrites<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  settings: Settings<T>,
  touched: Touched,
  failure?: unknown,
): Promise<void> {
  const known = touched.insertedCount + touched.updatedCount > 0;
  if (!known && failure === undefined) return;
  const complete =
    failure === undefined &&
    touched.inserted.length === touched.insertedCount &&
    touched.updated.length === touched.updatedCount;
  const ids = complete ? [...touched.inserted, ...touched.updated] : undefined;
  const stored = failure === undefined || failure instanceof BulkWriteIncompleteError;
  const events = known && stored ? await pendingEvents(context, settings, touched) : [];
  await context.afterWrite({ ids, events });
}

async function pendingEvents<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  settings: Settings<T>,
  touched: Touched,
): Promise<PendingEvent<T>[]> {
  const { events, model } = context;
  const scope = { entity: model.name, tenantId: settings.tenant };
  const emit = settings.emitEvents;
  const kinds = [
    [{ bulk: 'bulkCreated', perRow: 'created' }, touched.inserted, touched.insertedCount],
    [{ bulk: 'bulkUpdated', perRow: 'updated' }, touched.updated, touched.updatedCount],
  ] as const;
  const pending: PendingEvent<T>[] = [];
  for (const [names, ids, count] of kinds) {
    if (emit === 'perRow') {
      if (!events.hasListeners(names.perRow)) continue; // reading rows back for nobody costs queries
      const records = (await loadRecords(context, ids)).map((record) => ({
        id: record[model.primary.property] as EntityId,
        record,
      }));
      pending.push(...bulkEvents(emit, names, scope, { count: records.length, records }));
      continue;
    }
    // Ids ride along when every one of them is known (not after a COPY load).
    const known = ids.length === count ? ids : undefined;
    pending.push(...bulkEvents<T>(emit, names, scope, { count, ids: known }));
  }
  return pending;
}
