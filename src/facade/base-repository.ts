import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ConfigurationError } from '../errors';
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
import { createBatched, type CreateBatchedOptions } from '../coalescing/batched-create';
import type { CoalescerMetrics } from '../coalescing/coalescer-metrics';
import type { WriteCoalescer } from '../coalescing/write-coalescer';
import type {
  DeleteOptions,
  ListOptions,
  ListPage,
  ReadOptions,
  UpdateOptions,
} from '../repository/call-options';
import type { EntityModel } from '../model/entity-model';
import type { RepositoryContext } from '../repository/repository-context';
import { EntityReads } from '../repository/entity-reads';
import { EntityWrites } from '../repository/entity-writes';
import type { RepositoryOptions } from './repository-options';
import type {
  EntityId,
  RepositoryEventMap,
  RepositoryEventName,
  RepositoryEvents,
} from '../repository/repository-events';
import type { ConflictRecord } from '../locking/conflict-history';
import type { LockMetricsSnapshot } from '../locking/lock-metrics';
import type { Updater, UpdateWithVersionOptions } from '../locking/locking-options';
import { updateWithVersion } from '../locking/update-with-version';
import type { CacheMetrics } from '../cache/entity-cache';
import type { CacheWarmer, WarmReport } from '../warming/cache-warmer';
import type { PopularQuery } from '../warming/query-usage-tracker';
import type { TransactionOptions } from '../transactions/transaction-options';
import { rawQuery } from '../query/raw-query';
import type { QueryParams, RawQueryOptions } from '../query/raw-query-options';
import { buildRepository, type RepositoryBuild } from './build-repository';
import { boundView } from './manager-binding';
import { boundTransaction, versionedTarget } from './self-calls';
import type { Enqueued, EnqueueOptions } from '../write-behind/write-behind-producer';

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
 * A thin facade: each method hands its call to a feature folder (repository/ for the single-row
 * reads and writes, bulk/, locking/, coalescing/, warming/, query/, transactions/), on the
 * {@link RepositoryContext} of the manager the call is bound to. {@link buildRepository} makes it.
 */
export class BaseRepository<
  T extends ObjectLiteral,
  C extends object = Partial<T>,
  U extends object = Partial<T>,
> {
  /** Its context on the DataSource's own manager, and the parts the same on every manager. */
  readonly #built: RepositoryBuild<T>;
  /** Re-runs popular queries into the cache; present when the repository is cached. */
  private readonly warmer?: CacheWarmer;

  constructor(dataSource: DataSource, target: EntityTarget<T>, options: RepositoryOptions<T>) {
    this.#built = buildRepository(dataSource, target, options, this);
    this.warmer = this.#built.warmer;
  }

  /**
   * The repository's working parts, shared with the bulk operations, on the manager this call
   * runs on: a bound one ({@link withManager}), an ambient transaction's, or the DataSource's.
   */
  protected get context(): RepositoryContext<T> {
    return this.#built.calls.of(this);
  }

  /** The entity's resolved metadata: columns, primary key, version and date columns. */
  get model(): EntityModel<T> {
    return this.context.model;
  }

  get events(): RepositoryEvents<T> {
    return this.context.events;
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
  create(dto: C): Promise<T> {
    return this.#writes().create(dto);
  }

  /**
   * Validates `dto` and updates the row, bumping its `@VersionColumn` and `@UpdateDateColumn`.
   * @throws NotFoundError when the row is missing, soft-deleted or another tenant's
   * @throws OptimisticLockError when `expectedVersion` is given and the row has moved on
   */
  update(id: EntityId, dto: U, options: UpdateOptions = {}): Promise<T> {
    return this.#writes().update(id, dto, options);
  }

  /**
   * Deletes the row: soft (sets the `@DeleteDateColumn`) by default when the entity has one.
   * @throws NotFoundError when there is no such (visible) row
   */
  delete(id: EntityId, options: DeleteOptions = {}): Promise<void> {
    return this.#writes().delete(id, options);
  }

  /** Clears the `@DeleteDateColumn` of a soft-deleted row. Restoring a live row returns it unchanged. */
  restore(id: EntityId): Promise<T> {
    return this.#writes().restore(id);
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
    const cache = this.context.cache;
    return cache ? cache.clear(pattern) : Promise.resolve(0);
  }

  /** Hits and misses per tier, fills, invalidations, store errors and warm runs. */
  cacheMetrics(): CacheMetrics | undefined {
    return this.context.cache?.metrics();
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
    const target = versionedTarget<T, U>(this.context, this.#built.locking, this);
    return updateWithVersion(target, this.context.canonicalId(id), updater, options);
  }

  /** Optimistic-locking counters of this repository (bound or not), in this process. */
  lockMetrics(): LockMetricsSnapshot {
    return this.#built.locking.metrics.snapshot();
  }

  /** Up to `limit` of the latest version conflicts (all kept by default), newest first. */
  conflictHistory(limit?: number): ConflictRecord[] {
    return this.#built.locking.metrics.history(limit);
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
    return createBatched(this.context, dto, options, this, this.#built.coalescer());
  }

  /** The coalescer `createBatched` uses: the `coalescer` option, or this repository's own. */
  get coalescer(): WriteCoalescer {
    return this.#built.coalescer();
  }

  /** Batches, entries per batch, time per batch, schema variations, fallbacks and errors. */
  coalescerMetrics(): CoalescerMetrics {
    return this.coalescer.metrics();
  }

  // ── write-behind ───────────────────────────────────────────────────────────
  /** {@link create}, queued on Redis for a `WriteBehindDrainer`: see docs/write-behind.md. */
  enqueueCreate<O extends EnqueueOptions>(dto: C, options?: O): Promise<Enqueued<T, O>> {
    return this.#built.writeBehind.create(dto, options ?? {}) as Promise<Enqueued<T, O>>;
  }

  /** {@link enqueueCreate} of an upsert on `writeBehind.conflictTarget`. */
  enqueueUpsert<O extends EnqueueOptions>(dto: C, options?: O): Promise<Enqueued<T, O>> {
    return this.#built.writeBehind.upsert(dto, options ?? {}) as Promise<Enqueued<T, O>>;
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
    return boundTransaction(this, this.context, work, options);
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
    return rawQuery<T, R>(this.context, sql, params, options, this.#built.options);
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

  #writes(): EntityWrites<T> {
    return new EntityWrites(this.context, this.#built.locking.metrics);
  }

  private requireWarmer(): CacheWarmer {
    if (!this.warmer)
      throw new ConfigurationError(`${this.model.name}: the repository has no cache`);
    return this.warmer;
  }
}
