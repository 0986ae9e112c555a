import type { ObjectLiteral } from 'typeorm';
import { NotFoundError } from '../errors';
import type { RepositoryContext } from './repository-context';
import type { EntityId } from './repository-events';

/**
 * The one single-row insert, for `create` and for a coalesced create written on its own: one
 * INSERT (`RETURNING *` where the dialect has it, else a fresh read by the new id, never through
 * the cache, which may still hold "no such row" from before), and one `created` event.
 *
 * @param values validated and tenant-stamped
 * @param tenant the call's tenant, for the event
 */
export async function insertRow<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  values: Readonly<Record<string, unknown>>,
  tenant: string | undefined,
): Promise<T> {
  const { model } = context;
  const result = await context.execute(context.statements.insert(values));
  const raw = result.rows[0];
  let stored = raw ? context.hydrate(raw) : undefined;
  if (!stored) {
    const insertedId = (values[model.primary.property] ??
      context.adapter.bulkLoad.insertedId(result.raw)) as EntityId;
    stored = (await context.loadRow(insertedId, { withDeleted: true })) ?? undefined;
    if (!stored) throw new NotFoundError(model.name, insertedId);
  }
  const id = stored[model.primary.property] as EntityId;
  const event = { entity: model.name, id, record: stored, tenantId: tenant };
  await context.afterWrite({ ids: [id], events: [['created', event]] });
  return stored;
}
