import type { ObjectLiteral } from 'typeorm';
import { ConfigurationError } from '../errors';
import type { Filters } from '../filters/filter-types';
import type { RepositoryContext } from '../repository/repository-context';
import type { BulkDeleteOptions } from './bulk-options';
import { bulkEvents } from './bulk-events';
import { BulkResultBuilder, type BulkOperationResult } from './bulk-result';
import { batchSizeOption, booleanOption, emitMode } from './bulk-write-settings';
import { parseWriteFilters, writeMatching, type MatchingChange } from './filtered-write';

/**
 * `bulkDelete`: deletes every visible row `filters` matches, soft by default where the
 * repository soft-deletes: `UPDATE … SET deleted_at = now` (with the version and update-date
 * bumps) of rows not yet deleted; hard: `DELETE … WHERE`. One statement, or one per
 * primary-key page with `batchSize` (each page commits on its own, as for `bulkUpdate`).
 *
 * Events: one `bulkDeleted` per call (with the ids where RETURNING or the key pages give them),
 * `deleted` per row with `'perRow'`.
 *
 * @throws FilterError `FILTER_EMPTY` for a filter that matches everything, unless `allowAll`
 * @throws ConfigurationError for a soft delete of an entity without a `@DeleteDateColumn`
 */
export async function bulkDelete<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  filters: Filters<T>,
  options: BulkDeleteOptions,
): Promise<BulkOperationResult> {
  const batchSize = batchSizeOption(options.batchSize);
  const emit = emitMode(context, options.emitEvents, { bulk: 'bulkDeleted', perRow: 'deleted' });
  const { model, tenant } = context;
  const allowAll = booleanOption('allowAll', options.allowAll, false);
  const node = parseWriteFilters(context, filters, { allowAll, verb: 'delete' });
  const soft = options.soft ?? context.softDelete;
  const change = deleteChange(context, soft);
  const tenantId = tenant.current();

  const result = new BulkResultBuilder();
  const outcome = await writeMatching(context, node, {
    ...change,
    batchSize,
    // Per-row `deleted` events carry only the id, so ids are all they need.
    wanted: emit === 'perRow' ? 'ids' : emit ? 'cheapIds' : 'count',
  });
  result.totalRecords = outcome.count;
  result.successCount = outcome.count;
  result.batches = outcome.batches;

  const pending = bulkEvents<T>(
    emit,
    { bulk: 'bulkDeleted', perRow: 'deleted', soft },
    { entity: model.name, tenantId },
    { count: outcome.count, ids: outcome.ids },
  );
  if (outcome.count > 0) await context.afterWrite({ ids: outcome.ids, events: pending });
  return result.build();
}

/** A soft delete sets the delete date (an UPDATE, so version and update date move too). */
function deleteChange<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  soft: boolean,
): MatchingChange {
  const { model, statements } = context;
  if (!soft) return { kind: 'delete' };
  const deleteDate = model.deleteDate;
  if (!deleteDate) {
    throw ConfigurationError.needsColumn(model.name, 'soft delete', 'DeleteDateColumn');
  }
  const values = { [deleteDate.property]: context.now() };
  return { kind: 'update', set: statements.setClause(values) };
}
