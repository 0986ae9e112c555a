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
import {
  coalescerOf,
  createBatched,
  type CreateBatchedOptions,
} from '../coalescing/batched-create';
import type { CoalescerMetrics } from '../coalescing/coalescer-metrics';
import type { WriteCoalescer } from '../coalescing/write-coalescer';
import type {
  DeleteOptions,
  ListOptions,
  ListPage,
  ReadOptions,
  UpdateOptions,
} from './call-options';
import { DtoValidator } from './dto-validator';
import { EntityModel, type ModelColumn } from '../model/entity-model';
import { boundContext, boundView, runBound } from './manager-binding';
import { insertRow } from './insert-row';
import { rowHydrator } from './row-hydrator';
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
import { LockingState } from '../locking/locking-state';
import type { ConflictRecord } from '../locking/conflict-history';
import type { LockMetricsSnapshot } from '../locking/lock-metrics';
import type { Updater, UpdateWithVersionOptions } from '../locking/locking-options';
import { updateWithVersion, type VersionedTarget } from '../locking/update-with-version';
import type { CacheMetrics } from '../cache/entity-cache';
import { CacheWarmer, type WarmReport } from '../warming/cache-warmer';
import { setUpCache } from '../warming/cache-setup';
import type { PopularQuery } from '../warming/query-usage-tracker';
import { rerunQuery } from '../warming/rerun-query';
import { mergeRetryConfig, retrySettings } from '../transactions/retry-policy';
import type { TransactionOptions } from '../transactions/transaction-options';
import { withTransaction } from '../transactions/with-transaction';
import { rawQuery } from '../query/raw-query';
import type { QueryParams, RawQueryOptions } from '../query/raw-query-options';

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
  /** The working parts on the DataSource's own manager. */
  readonly #context: RepositoryContext<T>;
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
      throw ConfigurationError.needsColumn(model.name, 'softDelete', 'DeleteDateColumn');
    }
    retrySettings(options.retry); // a bad retry config fails here, not at the first transaction
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
      locking: new LockingState(options.locking),
      cache: caching?.cache,
      usage: caching?.usage,
      validators: {
        create: new DtoValidator(model.name, options.createDto),
        update: new DtoValidator(model.name, options.updateDto),
      },
      hydrate: rowHydrator(model, dataSource.driver, adapter),
    };
    this.#context = new RepositoryContext(parts, dataSource.manager);
    if (caching) {
      const { cache, usage, settings, lock } = caching;
      const rerun = (query: PopularQuery) => rerunQuery(this.#context, query);
      this.warmer = new CacheWarmer(cache, usage, settings, lock, rerun);
    }
  }

  /**
   * The repository's working parts, shared with the bulk operations: on the manager this call
   * is bound to (a transaction's, see {@link withManager}), else on the DataSource's.
   */
  protected get context(): RepositoryContext<T> {
    return boundContext<RepositoryContext<T>>(this) ?? this.#context;
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
   * listeners and cache; only the connection differs. The result is a view of this very object,
   * not a copy: a subclass's methods run on it with their own state and `#private` fields.
   */
  withManager(manager: EntityManager): this {
    return boundView(this, this.context.withManager(manager));
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

  /**
   * Rows matching `filters`, ordered and paged; with `after` (a cursor, or `null` for the first
   * page), a keyset page `{ items, nextCursor }`.
   */
  list(options: ListOptions<T> & { readonly after: string | null }): Promise<ListPage<T>>;
  list(options?: ListOptions<T> & { readonly after?: undefined }): Promise<T[]>;
  list(options: ListOptions<T> = {}): Promise<T[] | ListPage<T>> {
    return new EntityReads(this.context).list(options);
  }

  count(filters?: Filters<T>, options: ReadOptions = {}): Promise<number> {
    return new EntityReads(this.context).count(filters, options);
  }

  exists(filters?: Filters<T>, options: ReadOptions = {}): Promise<boolean> {
    return new EntityReads(this.context).exists(filters, options);
  }

  // ── writes ─────────────────────────────────────────────────────────────────

  /** Validates `dto`, stamps the tenant, inserts, and returns the stored row. */
  async create(dto: C): Promise<T> {
    const { context } = this;
    const values = await context.validated('create', dto);
    const tenant = context.parts.tenant.current();
    context.parts.tenant.stamp(values, tenant);
    return insertRow(context, values, tenant);
  }

  /**
   * Validates `dto` and updates the row, bumping its `@VersionColumn` and `@UpdateDateColumn`.
   * @throws NotFoundError when the row is missing, soft-deleted or another tenant's
   * @throws OptimisticLockError when `expectedVersion` is given and the row has moved on
   */
  async update(given: EntityId, dto: U, options: UpdateOptions = {}): Promise<T> {
    const { context } = this;
    const id = context.canonicalId(given);
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
  async delete(given: EntityId, options: DeleteOptions = {}): Promise<void> {
    const { context } = this;
    const id = context.canonicalId(given);
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
  async restore(given: EntityId): Promise<T> {
    const id = this.context.canonicalId(given);
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
   * current and previous window, counted by every instance sharing the store's coordination.
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
   * sharing the store's coordination (its Redis), one warms per interval. Resolves after the first attempt with its report, or
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

  // ── optimistic locking ─────────────────────────────────────────────────────

  /**
   * Reads the row, computes changes with `updater(current)` and writes them under a version check,
   * reacting to a concurrent write as `options.strategy` says: `'fail-fast'`, `'retry'` (re-read,
   * re-apply the updater, back off), `'merge'` (three-way merge) or `'last-writer-wins'`. Unset
   * options come from the repository's `locking` option. Each write is an `update()`, so the
   * changes are validated against the Update DTO on every attempt. See
   * docs/locking-and-transactions.md.
   */
  updateWithVersion(
    id: EntityId,
    updater: Updater<T, U>,
    options: UpdateWithVersionOptions<U> = {},
  ): Promise<T> {
    const target: VersionedTarget<T, U> = {
      model: this.model,
      locking: this.context.parts.locking,
      // A re-read after a conflict must see the row that beat us, not a cached copy.
      read: (rowId, fresh) => (fresh ? this.loadFresh(rowId, false) : this.findById(rowId)),
      update: (rowId, changes, updateOptions) => this.update(rowId, changes, updateOptions),
    };
    return updateWithVersion(target, this.context.canonicalId(id), updater, options);
  }

  /** Optimistic-locking counters of this repository (bound or not), in this process. */
  lockMetrics(): LockMetricsSnapshot {
    return this.context.parts.locking.metrics.snapshot();
  }

  /** Up to `limit` of the latest version conflicts (all kept by default), newest first. */
  conflictHistory(limit?: number): ConflictRecord[] {
    return this.context.parts.locking.metrics.history(limit);
  }

  // ── write coalescing ───────────────────────────────────────────────────────

  /**
   * {@link create}, written in one bulk INSERT with the other calls made within a few
   * milliseconds (see {@link WriteCoalescer}). Resolves to this caller's stored row, exactly as
   * `create` returns it, or rejects with this caller's own error; one bad row fails only its
   * caller. On a repository bound to a transaction (`withManager`) it is `create`.
   * See docs/write-coalescing.md.
   */
  createBatched(dto: C, options: CreateBatchedOptions = {}): Promise<T> {
    return createBatched(this.context, dto, options, this);
  }

  /** The coalescer `createBatched` uses: the `coalescer` option, or this repository's own. */
  get coalescer(): WriteCoalescer {
    return coalescerOf(this.context.parts);
  }

  /** Batches, entries per batch, time per batch, schema variations, fallbacks and errors. */
  coalescerMetrics(): CoalescerMetrics {
    return this.coalescer.metrics();
  }

  // ── transactions ───────────────────────────────────────────────────────────

  /**
   * Runs `work` in a transaction with this repository bound to it as `txRepo` (for several
   * repositories in one transaction, use `withTransaction` and bind each with `withManager`).
   * Commits when `work` resolves, rolls back when it throws; events and cache invalidation happen
   * after the commit.
   * On a repository already bound to an open transaction it nests under a savepoint and does not
   * retry. Otherwise a transient error re-runs `work` on a fresh transaction (`retry`, defaults
   * from the repository's `retry` option). See {@link withTransaction} and
   * docs/locking-and-transactions.md.
   */
  transaction<R>(work: (txRepo: this) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const retry = mergeRetryConfig(this.context.parts.options.retry, options.retry);
    // `txRepo` is this object, bound to the transaction for the callback's async call chain.
    const bound = (manager: EntityManager) =>
      runBound(this, this.context.withManager(manager), () => work(this));
    return withTransaction(this.context.manager, bound, { ...options, retry });
  }

  // ── raw queries ────────────────────────────────────────────────────────────

  /**
   * Runs one SQL statement with named `:param` placeholders, bound per dialect (`$1` or `?`), on
   * this repository's connection (inside `withManager(tx)`, in that transaction). Several
   * statements, transaction control and, without `allowAdmin: true`, DDL are refused with a
   * `QueryError` before any SQL runs; so is a missing or unused parameter. Returns the driver's
   * rows (`fetch: 'all'`, the default), the only row or `null` (`'one'`), or the affected-row
   * count (`'none'`). Never cached. The SQL is taken as written: no tenant or soft-delete guard
   * is added. See docs/raw-queries.md.
   */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: QueryParams,
    options?: RawQueryOptions<'all'>,
  ): Promise<R[]>;
  query<R = Record<string, unknown>>(
    sql: string,
    params: QueryParams | undefined,
    options: RawQueryOptions<'one'> & { readonly fetch: 'one' },
  ): Promise<R | null>;
  query(
    sql: string,
    params: QueryParams | undefined,
    options: RawQueryOptions<'none'> & { readonly fetch: 'none' },
  ): Promise<number>;
  query<R = Record<string, unknown>>(
    sql: string,
    params: QueryParams | undefined,
    options: RawQueryOptions,
  ): Promise<R[] | R | null | number>;
  query<R = Record<string, unknown>>(
    sql: string,
    params: QueryParams = {},
    options: RawQueryOptions = {},
  ): Promise<R[] | R | null | number> {
    return rawQuery<T, R>(this.context, sql, params, options);
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
      throw ConfigurationError.needsColumn(this.model.name, 'expectedVersion', 'VersionColumn');
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
    // The update missed: whatever this process cached for the row is stale.
    await this.context.evictStale([id]);
    if (!current) throw new NotFoundError(this.model.name, id);
    const version = this.model.version;
    if (expectedVersion !== undefined && version) {
      // Visible yet not matched: the row has moved on. `actual` can still equal `expectedVersion`
      // when this read sees a transaction's older snapshot (REPEATABLE READ on MySQL/MariaDB,
      // whose UPDATE reads the latest row); that is a conflict all the same, never a success.
      const actual = Number(current[version.property]);
      const { name } = this.model;
      const conflict = OptimisticLockError.versionMismatch(name, id, expectedVersion, actual);
      this.context.parts.locking.metrics.recordConflict(conflict);
      throw conflict;
    }
  }

  /**
   * The row as the database holds it now, never from the cache: a write reads its own result
   * before its invalidation has run (that happens after commit).
   */
  private loadFresh(id: EntityId, withDeleted: boolean): Promise<T | null> {
    return this.context.loadRow(id, withDeleted);
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
      throw ConfigurationError.needsColumn(this.model.name, purpose, 'DeleteDateColumn');
    }
    return column;
  }
}
