import type { ObjectLiteral } from 'typeorm';
import type { CachedOperation } from '../cache/cache-config';
import type { EntityCache } from '../cache/entity-cache';
import { canonicalSpec, specKey, type QuerySpec } from '../cache/query-spec';
import type { RowSnapshot } from '../cache/row-snapshot';
import type { FilterNode } from '../filters/filter-node';
import type { Filters } from '../filters/filter-types';
import { checkPageBound, parseOrderBy } from '../filters/order-by';
import { FilterError } from '../errors';
import type { ListOptions, ListPage, ReadOptions } from './call-options';
import { decodeCursor, encodeCursor } from './list-cursor';
import { countStatement, existsStatement, listStatement, orderKeys } from './read-statements';
import type { GuardOptions, RepositoryContext } from './repository-context';
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
    if (!cache) return context.loadRow(id, { withDeleted: options.withDeleted });
    const tenant = context.tenant.current();
    const ref = cache.rowRef(id);
    const { usage } = context.parts;
    if (usage && !this.refresh) {
      // The row key spells the id once; one repository's ids all have one canonical type.
      const spec = () => canonicalSpec({ op: 'findById', tenant, args: { id } });
      usage.record(`findById\u0000${tenant ?? ''}\u0000${ref.key}`, spec);
    }
    const load = async () => {
      const row = await context.loadRow(id, { withDeleted: true, scoped: false });
      return row ? context.snapshots.snapshotOf(row) : null;
    };
    const row = (await cache.fetch(ref, load, this.refresh)) as RowSnapshot | null;
    return row && this.#visible(row, tenant, options.withDeleted) ? this.#entity(row) : null;
  }

  async findOne(filters: Filters<T>, options: ReadOptions = {}): Promise<T | null> {
    const node = this.context.parseFilters(filters);
    const query = () => this.#first(node, { withDeleted: options.withDeleted });
    const cache = this.#cache('findOne');
    if (!cache) return query();
    const args = { filters, withDeleted: options.withDeleted };
    const row = (await this.#cached(cache, 'findOne', args, async () => {
      const found = await query();
      return found ? this.context.snapshots.snapshotOf(found) : null;
    })) as RowSnapshot | null;
    return row ? this.#entity(row) : null;
  }

  /** Rows in order, one page; with `after` (a cursor, or `null` for the first page) a keyset page. */
  async list(options: ListOptions<T> = {}): Promise<T[] | ListPage<T>> {
    const { context } = this;
    const node = context.parseFilters(options.filters);
    const sort = parseOrderBy(options.orderBy, context.model);
    const limit = checkPageBound('limit', options.limit);
    const offset = checkPageBound('offset', options.offset);
    const keyset = options.after !== undefined;
    if (keyset && offset !== undefined) {
      throw FilterError.invalidValue(
        'offset',
        'no offset with after: a cursor says where to start',
      );
    }
    const keys = orderKeys(context.model, sort);
    const after = options.after == null ? undefined : decodeCursor(options.after, keys);
    const withDeleted = options.withDeleted ?? false;
    // A keyset page reads one row more than it returns: whether another page exists is known
    // without a last, empty page.
    const read = keyset && limit !== undefined ? limit + 1 : limit;
    const load = async () => {
      const page = { node, guards: { withDeleted }, sort, limit: read, offset, after };
      const statement = listStatement(context, page);
      const { rows } = await context.execute(statement);
      return rows.map((raw) => context.hydrate(raw));
    };
    const cache = this.#cache('list');
    let items: T[];
    if (!cache) {
      items = await load();
    } else {
      const args = {
        filters: options.filters,
        orderBy: options.orderBy,
        limit,
        offset,
        withDeleted,
      };
      const cachedArgs = keyset ? { ...args, after: options.after } : args;
      const rows = (await this.#cached(cache, 'list', cachedArgs, async () =>
        (await load()).map((row) => context.snapshots.snapshotOf(row)),
      )) as RowSnapshot[];
      items = rows.map((row) => this.#entity(row));
    }
    if (!keyset) return items;
    const more = limit !== undefined && items.length > limit;
    if (more) items.length = limit;
    const last = items[items.length - 1];
    return { items, nextCursor: more && last !== undefined ? encodeCursor(keys, last) : null };
  }

  async count(filters?: Filters<T>, options: ReadOptions = {}): Promise<number> {
    const { context } = this;
    const node = context.parseFilters(filters);
    const query = async () => {
      const { rows } = await context.execute(
        countStatement(context, node, { withDeleted: !!options.withDeleted }),
      );
      return Number(rows[0]!.n); // PostgreSQL's COUNT(*) is a bigint, which pg returns as text
    };
    const cache = this.#cache('count');
    if (!cache) return query();
    const args = { filters, withDeleted: options.withDeleted };
    return (await this.#cached(cache, 'count', args, query)) as number;
  }

  /** `LIMIT 1` on the server; never cached. */
  async exists(filters?: Filters<T>, options: ReadOptions = {}): Promise<boolean> {
    const { context } = this;
    const node = context.parseFilters(filters);
    const statement = existsStatement(context, node, { withDeleted: !!options.withDeleted });
    return (await context.execute(statement)).rows.length > 0;
  }

  /** The cache for `op`, unless it is not cached or the read runs inside a transaction. */
  #cache(op: CachedOperation): EntityCache | undefined {
    const { cache } = this.context;
    return cache && cache.caches(op) && !this.context.inTransaction ? cache : undefined;
  }

  #cached(
    cache: EntityCache,
    op: CachedOperation,
    args: unknown,
    load: () => Promise<unknown>,
  ): Promise<unknown> {
    const spec: QuerySpec = { op, tenant: this.context.tenant.current(), args };
    const canonical = canonicalSpec(spec);
    if (!this.refresh) this.context.parts.usage?.record(canonical);
    return cache.fetch(cache.queryRef(specKey(spec, canonical)), load, this.refresh);
  }

  /** The first match by primary key, or `null`. */
  async #first(node: FilterNode, guards: GuardOptions): Promise<T | null> {
    const { context } = this;
    const statement = listStatement(context, { node, guards, sort: [], limit: 1 });
    const [raw] = (await context.execute(statement)).rows;
    return raw ? context.hydrate(raw) : null;
  }

  #visible(row: RowSnapshot, tenant: string | undefined, withDeleted = false): boolean {
    const { model, tenant: scope } = this.context;
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
    return this.context.snapshots.materialize<T>(row);
  }
}
