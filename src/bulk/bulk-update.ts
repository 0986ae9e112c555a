import type { ObjectLiteral } from 'typeorm';
import type { Filters } from '../filters/filter-types';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { BulkUpdateOptions } from './bulk-options';
import { bulkEvents } from './bulk-events';
import { BulkResultBuilder, type BulkOperationResult } from './bulk-result';
import { batchSizeOption, booleanOption, emitMode } from './bulk-write-settings';
import { parseWriteFilters, writeMatching } from './filtered-write';

/**
 * `bulkUpdate`: sets the same validated `data` on every visible row `filters` matches, in one
 * `UPDATE … SET data, version = version + 1, updated_at = now WHERE <filters> AND <tenant> AND
 * deleted_at IS NULL`, or one such statement per primary-key page with `batchSize`.
 *
 * With `batchSize` each page commits on its own (outside a transaction): an error stops the walk
 * and leaves earlier pages written. Bind the repository to a transaction (`withManager`) for all
 * or nothing.
 *
 * `successCount` and `totalRecords` are the rows changed. Events: one `bulkUpdated` per call
 * (with the ids where RETURNING or the key pages give them), `updated` per row with `'perRow'`.
 *
 * @throws FilterError for a malformed filter (`FILTER_UNDEFINED_VALUE` for an `undefined` value,
 *   `FILTER_EMPTY` for one that matches every row, unless `allowAll`), and ValidationError for
 *   invalid `data`, before any SQL
 * @throws TenantError when no tenant is resolved, or `data` names another tenant
 */
export async function bulkUpdate<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  filters: Filters<T>,
  data: unknown,
  options: BulkUpdateOptions,
): Promise<BulkOperationResult> {
  const batchSize = batchSizeOption(options.batchSize);
  const emit = emitMode(context, options.emitEvents, { bulk: 'bulkUpdated', perRow: 'updated' });
  const allowAll = booleanOption('allowAll', options.allowAll, false);
  const node = parseWriteFilters(context, filters, { allowAll, verb: 'update' });
  const values = await context.validated('update', data);
  const tenantId = context.tenant.current();
  context.tenant.stamp(values, tenantId);

  const result = new BulkResultBuilder();
  const outcome = await writeMatching(context, node, {
    kind: 'update',
    set: context.statements.setClause(values),
    batchSize,
    wanted: emit === 'perRow' ? 'rows' : emit ? 'cheapIds' : 'count',
  });
  result.totalRecords = outcome.count;
  result.successCount = outcome.count;
  result.batches = outcome.batches;

  const { model } = context;
  const property = model.primary.property;
  // Per-row events carry the rows as updated; their ids are then the ones invalidated.
  const records = outcome.records?.map((record) => ({ id: record[property] as EntityId, record }));
  const ids = records ? records.map((r) => r.id) : outcome.ids;
  const pending = bulkEvents(
    emit,
    { bulk: 'bulkUpdated', perRow: 'updated' },
    { entity: model.name, tenantId },
    { count: outcome.count, ids, records },
  );
  if (outcome.count > 0) await context.afterWrite({ ids, events: pending });
  return result.build();
}
