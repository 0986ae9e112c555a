import type { ObjectLiteral } from 'typeorm';
import type { Filters } from '../filters/filter-types';
import type { ListOptions, ReadOptions } from '../repository/call-options';
import { EntityReads } from '../repository/entity-reads';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { PopularQuery } from './query-usage-tracker';

type QueryArgs = ReadOptions & { id?: EntityId; filters?: Filters<never> };

/**
 * Re-runs a tracked query for its tenant, from the database, and stores the result unless a write
 * happened meanwhile; resolves to whether it was stored. The arguments are the ones the original
 * read was keyed by, so the refreshed entry is the one readers look up.
 */
export async function rerunQuery<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  query: PopularQuery,
): Promise<boolean> {
  let stored = false;
  const reads = new EntityReads(context.withTenant(query.tenant), (ok) => (stored = ok));
  const args = (query.args ?? {}) as QueryArgs;
  switch (query.op) {
    case 'findById':
      await reads.findById(args.id as EntityId);
      break;
    case 'findOne':
      await reads.findOne(args.filters ?? {}, args);
      break;
    case 'list':
      await reads.list(args as ListOptions<T>);
      break;
    case 'count':
      await reads.count(args.filters, args);
      break;
  }
  return stored;
}
