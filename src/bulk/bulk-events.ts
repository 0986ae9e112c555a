import type { EntityId } from '../repository/repository-events';
import type { PendingEvent } from '../repository/write-change';
import type { EmitEvents } from './bulk-options';

/** The written rows of one kind, as a bulk call knows them. */
export interface Written<T> {
  /** Rows written. */
  readonly count: number;
  /** Their ids, where the call knows every one of them. */
  readonly ids?: readonly EntityId[];
  /** The rows as stored, one per id (for per-row events that carry the record). */
  readonly records?: readonly { readonly id: EntityId; readonly record: T }[];
}

/** Which event a bulk call emits for its rows: one per call, or one per row. */
export type BulkEventNames =
  | { readonly bulk: 'bulkCreated'; readonly perRow: 'created' }
  | { readonly bulk: 'bulkUpdated'; readonly perRow: 'updated' }
  | { readonly bulk: 'bulkDeleted'; readonly perRow: 'deleted'; readonly soft: boolean };

/**
 * The events of one bulk write, the same rule for every bulk call: none when `emit` is off or
 * nothing was written; with `'perRow'` one event per row (the stored record, or for a delete the
 * id); else one bulk event with the count and, where known, the ids.
 */
export function bulkEvents<T>(
  emit: EmitEvents,
  names: BulkEventNames,
  scope: { readonly entity: string; readonly tenantId: string | undefined },
  written: Written<T>,
): PendingEvent<T>[] {
  const { entity, tenantId } = scope;
  if (!emit || written.count === 0) return [];
  if (emit === 'perRow') {
    if (names.perRow === 'deleted') {
      const { soft } = names;
      return (written.ids ?? []).map((id) => ['deleted', { entity, id, soft, tenantId }]);
    }
    const name = names.perRow;
    return (written.records ?? []).map(({ id, record }) => [
      name,
      { entity, id, record, tenantId },
    ]);
  }
  const ids = written.ids ? { ids: written.ids } : {};
  const payload = { entity, ...ids, count: written.count, tenantId };
  return names.bulk === 'bulkDeleted'
    ? [['bulkDeleted', { ...payload, soft: names.soft }]]
    : [[names.bulk, payload]];
}
