import type { ObjectLiteral } from 'typeorm';
import { NotFoundError } from '../errors';
import { EntityReads } from '../repository/entity-reads';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';

/**
 * The single-row path of a coalesced create: what `create` does after validation, for values
 * validated and tenant-stamped when the call was made. One INSERT (`RETURNING *` where the dialect
 * has it, else a read by the new id) and one `created` event, so the caller gets exactly what
 * `create` would have returned.
 *
 * @param context the repository with the call's tenant fixed
 */
export async function insertOne<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  values: Readonly<Record<string, unknown>>,
  tenant: string | undefined,
): Promise<T> {
  const { model } = context;
  const result = await context.execute(context.parts.statements.insert(values));
  const raw = result.rows[0];
  let stored = raw ? context.hydrate(raw) : undefined;
  if (!stored) {
    const insertedId = (values[model.primary.property] ??
      context.adapter.insertedId(result.raw)) as EntityId;
    stored =
      (await new EntityReads(context).findById(insertedId, { withDeleted: true })) ?? undefined;
    if (!stored) throw new NotFoundError(model.name, insertedId);
  }
  const id = stored[model.primary.property] as EntityId;
  const event = { entity: model.name, id, record: stored, tenantId: tenant };
  await context.afterWrite({ ids: [id], events: [['created', event]] });
  return stored;
}
