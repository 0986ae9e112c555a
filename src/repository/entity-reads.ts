import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CachedOperation } from '../cache/cache-config';
import type { EntityCache } from '../cache/entity-cache';
import { canonicalSpec, specKey, type QuerySpec } from '../cache/query-spec';
import { materialize, snapshotOf, type RowSnapshot } from '../cache/row-snapshot';
import type { FilterNode } from '../filters/filter-node';
import type { Filters } from '../filters/filter-types';
import { checkPageBound, parseOrderBy } from '../filters/order-by';
import type { ListOptions, ReadOptions } from './call-options';
import { ALIAS, type RepositoryContext } from './repository-context';
import type { EntityId } from './repository-events';
import { sameTenant } from './tenant-scope';

/**
 * The four read operations, cached or not. A cached read is keyed by its canonical spec (which the
 * usage tracker also counts, so the warmer can re-run it); `refresh` re-reads and re-stores even
 * on a hit, which is what warming does. Input is checked before the cache is consulted, so a bad
 * filter fails the same way cached or not.
 */
export class EntityReads<T extends ObjectLiteral> {
  /**
   * @param refresh when given, every cached read re-reads the database and re-stores its result
   *   even on a hit, and `refresh` learns whether it was stored (warming)
   */
  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly refresh?: (stored: boolean) => void,
  ) {}

  /**
   * A cached row entry is the row itself, whatever its tenant or deletion state (so that any
   * write to it can invalidate it by id); the caller's tenant and `withDeleted` apply on the way out.
   */
  async findById(given: EntityId, options: ReadOptions = {}): Promise<T | null> {
    const { context } = this;
    const id = context.canonicalId(given);
    const cache = this.#cache('findById');
    if (!cache) return this.#one(context.select(context.idFilter(id), options.withDeleted));
    const tenant = context.parts.tenant.current();
    if (!this.refresh) {
      const spec = () => canonicalSpec({ op: 'findById', tenant, args: { id } });
      context.parts.usage?.record(`findById\u0000${tenant ?? ''}\u0000${typeof id}:${id}`, spec);
    }
    const load = async () => {
      const row = await this.#one(context.select(context.idFilter(id), true, false));
      return row ? snapshotOf(row) : null;
    };
    const row = (await cache.fetch(cache.rowRef(id), load, this.refresh)) as RowSnapshot | null;
    return row && this.#visible(row, tenant, options.withDeleted) ? this.#entity(row) : null;
  }

  async findOne(filters: Filters<T>, options: ReadOptions = {}): Promise<T | null> {
    const node = this.context.parseFilters(filters);
    const query = () => this.#orderByPrimary(this.#select(node, options.withDeleted)).limit(1);
    const cache = this.#cache('findOne');
    if (!cache) return this.#one(query());
    const args = { filters, withDeleted: options.withDeleted };
    const row = (await this.#cached(cache, 'findOne', args, async () => {
      const found = await this.#one(query());
      return found ? snapshotOf(found) : null;
    })) as RowSnapshot | null;
    return row ? this.#entity(row) : null;
  }

  async list(options: ListOptions<T> = {}): Promise<T[]> {
    const { context } = this;
    const node = context.parseFilters(options.filters);
    const sort = parseOrderBy(options.orderBy, context.model);
    const limit = checkPageBound('limit', options.limit);
    const offset = checkPageBound('offset', options.offset);
    const query = () => {
      const builder = this.#select(node, options.withDeleted);
      const nulls = (d: 'ASC' | 'DESC') => context.adapter.nullsOrdering(d);
      for (const { column, direction } of sort) {
        builder.addOrderBy(`${ALIAS}.${column.property}`, direction, nulls(direction));
      }
      if (!sort.some((s) => s.column === context.model.primary)) this.#orderByPrimary(builder);
      // An OFFSET alone takes the dialect's "all rows" LIMIT where it needs one (MySQL).
      const pageLimit =
        limit ?? (offset === undefined ? undefined : context.adapter.limitForBareOffset);
      if (pageLimit !== undefined) builder.limit(pageLimit);
      if (offset !== undefined) builder.offset(offset);
      return builder;
    };
    const cache = this.#cache('list');
    if (!cache) return context.run(() => query().getMany());
    const { filters, orderBy, withDeleted } = options;
    const args = { filters, orderBy, limit, offset, withDeleted };
    const rows = (await this.#cached(cache, 'list', args, async () => {
      const found = await context.run(() => query().getMany());
      return found.map(snapshotOf);
    })) as RowSnapshot[];
    return rows.map((row) => this.#entity(row));
  }

  async count(filters?: Filters<T>, options: ReadOptions = {}): Promise<number> {
    const node = this.context.parseFilters(filters);
    const query = () => this.#select(node, options.withDeleted);
    const cache = this.#cache('count');
    if (!cache) return this.context.run(() => query().getCount());
    const args = { filters, withDeleted: options.withDeleted };
    return (await this.#cached(cache, 'count', args, () =>
      this.context.run(() => query().getCount()),
    )) as number;
  }

  /** The cache for `op`, unless it is not cached or the read runs inside a transaction. */
  #cache(op: CachedOperation): EntityCache | undefined {
    const { cache } = this.context.parts;
    return cache && cache.caches(op) && !this.context.inTransaction ? cache : undefined;
  }

  #cached(
    cache: EntityCache,
    op: CachedOperation,
    args: unknown,
    load: () => Promise<unknown>,
  ): Promise<unknown> {
    const spec: QuerySpec = { op, tenant: this.context.parts.tenant.current(), args };
    const canonical = canonicalSpec(spec);
    if (!this.refresh) this.context.parts.usage?.record(canonical);
    return cache.fetch(cache.queryRef(specKey(spec, canonical)), load, this.refresh);
  }

  #select(node: FilterNode, withDeleted: boolean | undefined): SelectQueryBuilder<T> {
    return this.context.select(node, withDeleted);
  }

  #orderByPrimary(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
    return query.addOrderBy(`${ALIAS}.${this.context.model.primary.property}`, 'ASC');
  }

  #one(query: SelectQueryBuilder<T>): Promise<T | null> {
    return this.context.run(() => query.getOne());
  }

  #visible(row: RowSnapshot, tenant: string | undefined, withDeleted = false): boolean {
    const { model, tenant: scope } = this.context.parts;
    if (scope.column && tenant !== undefined && !sameTenant(row[scope.column.property], tenant)) {
      return false;
    }
    const deleteDate = model.deleteDate;
    return (
      withDeleted ||
      !deleteDate ||
      row[deleteDate.property] === null ||
      row[deleteDate.property] === undefined
    );
  }

  #entity(row: RowSnapshot): T {
    return materialize<T>(row, this.context.model.prototype);
  }
}
