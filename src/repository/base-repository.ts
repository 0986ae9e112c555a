import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { adapterFor } from '../dialects/adapter-for';
import { ConfigurationError, NotFoundError, OptimisticLockError } from '../errors';
import type { FilterNode } from '../filters/filter-node';
import { parseFilters } from '../filters/filter-parser';
import type { Filters } from '../filters/filter-types';
import { bulkCreate, type BulkCreateOptions } from '../bulk/bulk-create';
import { bulkDelete } from '../bulk/bulk-delete';
import type {
  BulkDeleteOptions,
  BulkUpdateByIdsOptions,
  BulkUpdateOptions,
} from '../bulk/bulk-options';
import type { BulkOperationResult } from '../bulk/bulk-result';
import { bulkUpdate } from '../bulk/bulk-update';
import { bulkUpdateByIds, type BulkUpdateByIdsRow } from '../bulk/bulk-update-by-ids';
import type { DeleteOptions, ListOptions, ReadOptions, UpdateOptions } from './call-options';
import { DtoValidator } from './dto-validator';
import { EntityModel, type ModelColumn } from './entity-model';
import { RepositoryContext, andFilters } from './repository-context';
import { EntityReads } from './entity-reads';
import type { RepositoryOptions } from './repository-options';
import {
  RepositoryEvents,
  type EntityId,
  type RepositoryEventMap,
  type RepositoryEventName,
} from './repository-events';
import type { StatementResult } from './statement-executor';
import { TenantScope } from './tenant-scope';
import { WriteStatements } from './write-statements';
import { AfterCommit } from '../transactions/after-commit';
import type { CacheMetrics } from '../cache/entity-cache';
import { CacheWarmer, type WarmReport } from '../warming/cache-warmer';
import { setUpCache } from '../warming/cache-setup';
import type { PopularQuery } from '../warming/query-usage-tracker';
import { rerunQuery } from '../warming/rerun-query';

/**
 * A validated, tenant-aware, soft-delete-aware repository for one entity.
 *
 * ```ts
 * class UserRepository extends BaseRepository<User, CreateUserDto, UpdateUserDto> {
 *   constructor(dataSource: DataSource, options?: Partial<RepositoryOptions<User>>) {
 *     super(dataSource, User, { createDto: CreateUserDto, updateDto: UpdateUserDto, ...options });
 *   }
 * }
 * ```
 *
 * A thin facade: statements are built by its {@link RepositoryContext}. Reads go through
 * TypeORM's SelectQueryBuilder; writes are single hand-built statements (`… RETURNING *` where
 * the dialect has it), so a create or an update is one round trip on PostgreSQL and SQLite.
 */
export class BaseRepository<
  T extends ObjectLiteral,
  C extends object = Partial<T>,
  U extends object = Partial<T>,
> {
  /** The repository's working parts; internal, shared with the bulk operations. */
  protected readonly context: RepositoryContext<T>;
  /** Re-runs popular queries into the cache; present when the repository is cached. */
  private readonly warmer?: CacheWarmer;

  constructor(dataSource: DataSource, target: EntityTarget<T>, options: RepositoryOptions<T>) {
    if (!options?.createDto || !options.updateDto) {
      throw new ConfigurationError('createDto and updateDto are required');
    }
    const model = new EntityModel(dataSource, target);
    const adapter = adapterFor(dataSource);
    const softDelete = options.softDelete ?? model.deleteDate !== undefined;
    if (softDelete && !model.deleteDate) {
      throw new ConfigurationError(`${model.name}: softDelete needs a @DeleteDateColumn`);
    }
    const caching = options.cache ? setUpCache(options.cache, model.metadata.tableName) : undefined;
    const parts = {
      dataSource,
      adapter,
      model,
      options,
      softDelete,
      tenant: new TenantScope(model, options.tenant),
      statements: new WriteStatements(model, adapter, dataSource.driver),
      events: new RepositoryEvents<T>(options.events ?? true),
      afterCommit: AfterCommit.for(dataSource),
      cache: caching?.cache,
      usage: caching?.usage,
      validators: {
        create: new DtoValidator(model.name, options.createDto),
        update: new DtoValidator(model.name, options.updateDto),
      },
    };
    this.context = new RepositoryContext(parts, dataSource.manager);
    if (caching) {
      const { cache, usage, settings, lock } = caching;
      const rerun = (query: PopularQuery) => rerunQuery(this.context, query);
      this.warmer = new CacheWarmer(cache, usage, settings, lock, rerun);
    }
  }

  /** The entity's resolved metadata: columns, primary key, version and date columns. */
  get model(): EntityModel<T> {
    return this.context.model;
  }

  get events(): RepositoryEvents<T> {
    return this.context.parts.events;
  }

  /**
   * This repository bound to an open transaction's EntityManager: every call, bulk ones
   * included, runs inside it (bulk error isolation then uses savepoints). Same options,
   * listeners and cache; only the connection differs.
   */
  withManager(manager: EntityManager): this {
    const bound = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(bound, this, { context: this.context.withManager(manager) });
    return bound;
  }

  // ── reads ──────────────────────────────────────────────────────────────────

  /**
   * The row with this primary key, or `null` (also when soft-deleted or another tenant's).
   * Served from the cache when the repository has one.
   */
  findById(id: EntityId, options: ReadOptions = {}): Promise<T | null> {
    return new EntityReads(this.context).findById(id, options);
  }

  /** The first row (by primary key) matching `filters`, or `null`. */
  findOne(filters: Filters<T>, options: ReadOptions = {}): Promise<T | null> {
    return new EntityReads(this.context).findOne(filters, options);
  }

  /** Rows matching `filters`, ordered and paged. */
  list(options: ListOptions<T> = {}): Promise<T[]> {
    return new EntityReads(this.context).list(options);
  }

  count(filters?: Filters<T>, options: ReadOptions = {}): Promise<number> {
    return new EntityReads(this.context).count(filters, options);
  }

  async exists(filters?: Filters<T>, options: ReadOptions = {}): Promise<boolean> {
    const query = this.context.select(parseFilters(filters, this.model), options.withDeleted);
    return this.context.run(() => query.getExists());
  }

  // ── writes ─────────────────────────────────────────────────────────────────

  /** Validates `dto`, stamps the tenant, inserts, and returns the stored row. */
  async create(dto: C): Promise<T> {
    const { context } = this;
    const values = await context.validated('create', dto);
    const tenant = context.parts.tenant.current();
    context.parts.tenant.stamp(values, tenant);
    const result = await context.execute(context.parts.statements.insert(values));
    const insertedId =
      values[this.model.primary.property] ?? context.adapter.insertedId(result.raw);
    const stored = this.first(result) ?? (await this.mustLoad(insertedId as EntityId, true));
    const id = stored[this.model.primary.property] as EntityId;
    const event = { entity: this.model.name, id, record: stored, tenantId: tenant };
    await context.afterWrite({ ids: [id], events: [['created', event]] });
    return stored;
  }

  /**
   * Validates `dto` and updates the row, bumping its `@VersionColumn` and `@UpdateDateColumn`.
   * @throws NotFoundError when the row is missing, soft-deleted or another tenant's
   * @throws OptimisticLockError when `expectedVersion` is given and the row has moved on
   */
  async update(id: EntityId, dto: U, options: UpdateOptions = {}): Promise<T> {
    const { context } = this;
    const values = await context.validated('update', dto);
    const tenant = context.parts.tenant.current();
    context.parts.tenant.stamp(values, tenant);
    let target = context.idFilter(id);
    if (options.expectedVersion !== undefined) {
      target = this.withExpectedVersion(target, options.expectedVersion);
    }
    const result = await this.updateWhere(target, values, false);
    if (result.affected === 0) await this.explainMissedUpdate(id, options.expectedVersion);
    const updated = this.first(result) ?? (await this.mustLoad(id, false));
    const event = { entity: this.model.name, id, record: updated, tenantId: tenant };
    await context.afterWrite({ ids: [id], events: [['updated', event]] });
    return updated;
  }

  /**
   * Deletes the row: soft (sets the `@DeleteDateColumn`) by default when the entity has one.
   * @throws NotFoundError when there is no such (visible) row
   */
  async delete(id: EntityId, options: DeleteOptions = {}): Promise<void> {
    const { context } = this;
    const soft = options.soft ?? context.parts.softDelete;
    const tenant = context.parts.tenant.current();
    const where = context.idFilter(id);
    const withDeleted = options.withDeleted ?? false;
    const { affected } = soft
      ? await this.updateWhere(
          where,
          { [this.deleteDate('soft delete').property]: context.now() },
          withDeleted,
        )
      : await context.execute(
          context.parts.statements.delete(context.whereWriter(where, withDeleted)),
        );
    if (affected === 0) throw new NotFoundError(this.model.name, id);
    const event = { entity: this.model.name, id, soft, tenantId: tenant };
    await context.afterWrite({ ids: [id], events: [['deleted', event]] });
  }

  /** Clears the `@DeleteDateColumn` of a soft-deleted row. Restoring a live row returns it unchanged. */
  async restore(id: EntityId): Promise<T> {
    const deleteDate = this.deleteDate('restore');
    const tenant = this.context.parts.tenant.current();
    const deleted = andFilters(
      this.context.idFilter(id),
      parseFilters({ [`${deleteDate.property}__isnull`]: false }, this.model),
    );
    const result = await this.updateWhere(deleted, { [deleteDate.property]: null }, true);
    const row = this.first(result) ?? (await this.loadFresh(id, false));
    if (!row) throw new NotFoundError(this.model.name, id);
    if (result.affected > 0) {
      const event = { entity: this.model.name, id, record: row, tenantId: tenant };
      await this.context.afterWrite({ ids: [id], events: [['restored', event]] });
    }
    return row;
  }

  // ── bulk ───────────────────────────────────────────────────────────────────

  /**
   * Inserts many rows at the database's bulk speed. Every row ends up either stored or listed in
   * `errors` with its input index. See docs/bulk-operations.md.
   */
  bulkCreate(
    rows: Iterable<C> | AsyncIterable<C>,
    options: BulkCreateOptions<T> = {},
  ): Promise<BulkOperationResult> {
    return bulkCreate(this.context, rows, options);
  }

  /** {@link bulkCreate} with `onConflict: 'update'`. */
  bulkUpsert(
    rows: Iterable<C> | AsyncIterable<C>,
    options: Omit<BulkCreateOptions<T>, 'onConflict'> = {},
  ): Promise<BulkOperationResult> {
    return bulkCreate(this.context, rows, { ...options, onConflict: 'update' });
  }

  /** One `UPDATE … SET data WHERE filters` (or one per key chunk with `batchSize`). */
  bulkUpdate(
    filters: Filters<T>,
    data: U,
    options: BulkUpdateOptions = {},
  ): Promise<BulkOperationResult> {
    return bulkUpdate(this.context, filters, data, options);
  }

  /** Different changes per row, one statement per chunk; optionally checks each row's version. */
  bulkUpdateByIds(
    rows: readonly BulkUpdateByIdsRow<U>[],
    options: BulkUpdateByIdsOptions = {},
  ): Promise<BulkOperationResult> {
    return bulkUpdateByIds(this.context, rows, options);
  }

  /** Soft (by default) or hard delete of every row matching `filters`. */
  bulkDelete(filters: Filters<T>, options: BulkDeleteOptions = {}): Promise<BulkOperationResult> {
    return bulkDelete(this.context, filters, options);
  }

  // ── caching ────────────────────────────────────────────────────────────────

  /**
   * Re-runs the popular queries (see {@link getPopularQueries}) and stores fresh results. A result
   * is not stored if a write happened while it was read. See docs/caching.md.
   */
  warmCache(): Promise<WarmReport> {
    return this.requireWarmer().warm();
  }

  /**
   * The `popularQueriesLimit` most used cached reads with at least `minUsageCount` uses in the
   * current and previous window, counted across every instance sharing the Redis.
   */
  getPopularQueries(): Promise<PopularQuery[]> {
    return this.requireWarmer().popular();
  }

  /** Whether a warm is due: warming is enabled and no instance has warmed this interval. */
  shouldWarmCache(): Promise<boolean> {
    return this.requireWarmer().due();
  }

  /**
   * Warms now if due, then every `warmIntervalSeconds` on an unref'd timer; across instances
   * sharing a Redis, one warms per interval. Resolves after the first attempt with its report, or
   * `undefined` when another instance warmed this interval (or `warming.enabled` is not set).
   */
  startCacheWarming(): Promise<WarmReport | undefined> {
    return this.requireWarmer().start();
  }

  stopCacheWarming(): void {
    this.warmer?.stop();
  }

  /**
   * Removes this entity's cached entries whose key matches `pattern` (`'list:*'`, `'count:*'`,
   * `'id:42'`), or all of them, in every process; resolves to the number of entries removed.
   */
  invalidateCache(pattern?: string): Promise<number> {
    const cache = this.context.parts.cache;
    return cache ? cache.clear(pattern) : Promise.resolve(0);
  }

  /** Hits and misses per tier, fills, invalidations, store errors and warm runs. */
  cacheMetrics(): CacheMetrics | undefined {
    return this.context.parts.cache?.metrics();
  }

  // ── events ─────────────────────────────────────────────────────────────────

  on<E extends RepositoryEventName>(
    event: E,
    listener: (payload: RepositoryEventMap<T>[E]) => void,
  ): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends RepositoryEventName>(
    event: E,
    listener: (payload: RepositoryEventMap<T>[E]) => void,
  ): this {
    this.events.off(event, listener);
    return this;
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  /** UPDATE with the version and update-date bumps; returns the rows where RETURNING exists. */
  private updateWhere(
    node: FilterNode,
    values: Record<string, unknown>,
    withDeleted: boolean,
  ): Promise<StatementResult> {
    const { context } = this;
    return context.execute(
      context.parts.statements.update(values, context.whereWriter(node, withDeleted)),
    );
  }

  private withExpectedVersion(node: FilterNode, expected: number): FilterNode {
    const version = this.model.version;
    if (!version) {
      throw new ConfigurationError(`${this.model.name}: expectedVersion needs a @VersionColumn`);
    }
    return andFilters(node, parseFilters({ [version.property]: expected }, this.model));
  }

  private first(result: StatementResult): T | undefined {
    const raw = result.rows[0];
    return raw ? this.context.hydrate(raw) : undefined;
  }

  /** After an update matched nothing: was the row missing, or had its version moved on? */
  private async explainMissedUpdate(
    id: EntityId,
    expectedVersion: number | undefined,
  ): Promise<void> {
    const current = await this.loadFresh(id, false);
    if (!current) throw new NotFoundError(this.model.name, id);
    const version = this.model.version;
    if (expectedVersion !== undefined && version) {
      const actual = Number(current[version.property]);
      if (actual !== expectedVersion) {
        throw new OptimisticLockError(this.model.name, id, expectedVersion, actual);
      }
    }
  }

  /**
   * The row as the database holds it now, never from the cache: a write reads its own result
   * before its invalidation has run (that happens after commit).
   */
  private loadFresh(id: EntityId, withDeleted: boolean): Promise<T | null> {
    const query = this.context.select(this.context.idFilter(id), withDeleted);
    return this.context.run(() => query.getOne());
  }

  private async mustLoad(id: EntityId, withDeleted: boolean): Promise<T> {
    const row = await this.loadFresh(id, withDeleted);
    if (!row) throw new NotFoundError(this.model.name, id);
    return row;
  }

  private requireWarmer(): CacheWarmer {
    if (!this.warmer)
      throw new ConfigurationError(`${this.model.name}: the repository has no cache`);
    return this.warmer;
  }

  private deleteDate(purpose: string): ModelColumn {
    const column = this.model.deleteDate;
    if (!column) {
      throw new ConfigurationError(`${this.model.name}: ${purpose} needs a @DeleteDateColumn`);
    }
    return column;
  }
}
