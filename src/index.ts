// The public API. Anything not exported here is internal.
export { BaseRepository } from './facade/base-repository';
export type {
  ListOptions,
  ListPage,
  ReadOptions,
  UpdateOptions,
  DeleteOptions,
} from './repository/call-options';
export type { RepositoryOptions } from './facade/repository-options';
export type { TenantConfig } from './repository/tenant-scope';
export type { DtoClass } from './repository/dto-validator';
export type {
  EntityId,
  EntityEvent,
  DeletedEvent,
  BulkEvent,
  BulkDeletedEvent,
  RepositoryEventMap,
  RepositoryEventName,
  RepositoryEvents,
} from './repository/repository-events';
export type { Filters, FilterKey } from './filters/filter-types';
export type { BulkOperationResult, BulkRowError } from './bulk/bulk-result';
export type {
  BulkCreateOptions,
  BulkDeleteOptions,
  BulkProgress,
  BulkUpdateByIdsOptions,
  BulkUpdateOptions,
  EmitEvents,
  OnConflict,
} from './bulk/bulk-options';
export type { BulkUpdateByIdsRow } from './bulk/bulk-update-by-ids';
export { DEFAULT_BATCH_SIZE } from './dialects/bulk-load';
export type { FilterOperator } from './filters/filter-operators';
export { FILTER_OPERATORS } from './filters/filter-operators';
export { MAX_FILTER_DEPTH, MAX_FILTER_SIZE } from './filters/filter-limits';
export type { OrderBy, SortDirection } from './filters/order-by';
export { dataSourceOptionsFromUrl, DEFAULT_DATABASE_URL } from './config/data-source-options';
// Dialects: the adapter and its parts, the built-in dialects to subclass, and the registry.
export { adapterFor } from './dialects/adapter-for';
export {
  DialectAdapter,
  type DialectName,
  type DialectOverrides,
  type DialectParts,
} from './dialects/dialect-adapter';
export { registerDialect, useDialect, type DialectFactory } from './dialects/dialect-registry';
export {
  dialectCapabilities,
  EVERY_STATEMENT,
  type DialectCapabilities,
  type ReturningSupport,
} from './dialects/dialect-capabilities';
export { SqlSyntax, UPSERT_ALIAS, type Bind, type UpsertSpec } from './dialects/sql-syntax';
export { LIKE_ESCAPE, likePattern, type MatchMode } from './dialects/like-pattern';
export { ValueBinding } from './dialects/value-binding';
export {
  driverCodeOf,
  ErrorConverter,
  unwrapDriverError,
  type DatabaseErrorKind,
} from './dialects/driver-errors';
export { BulkLoad, type ArrayColumn, type CopySource } from './dialects/bulk-load';
export { POSTGRES_CAPABILITIES, PostgresAdapter } from './dialects/postgres-adapter';
export { PostgresSyntax } from './dialects/postgres-syntax';
export { PostgresBinding } from './dialects/postgres-binding';
export { PostgresErrors } from './dialects/postgres-errors';
export { PostgresBulkLoad } from './dialects/postgres-bulk-load';
export { insertReturningOf, MysqlAdapter, mysqlCapabilities } from './dialects/mysql-adapter';
export { MysqlSyntax } from './dialects/mysql-syntax';
export { MysqlErrors } from './dialects/mysql-errors';
export { MysqlBulkLoad } from './dialects/mysql-bulk-load';
export { SQLITE_CAPABILITIES, SqliteAdapter } from './dialects/sqlite-adapter';
export { SqliteSyntax } from './dialects/sqlite-syntax';
export { SqliteBinding } from './dialects/sqlite-binding';
export { SqliteErrors } from './dialects/sqlite-errors';
export { SqliteBulkLoad } from './dialects/sqlite-bulk-load';
export { NODE_SQLITE3_CAPABILITIES, NodeSqlite3Adapter } from './dialects/node-sqlite3-adapter';
export { NodeSqlite3Binding } from './dialects/node-sqlite3-binding';
export { NodeSqlite3Errors } from './dialects/node-sqlite3-errors';
export { NodeSqlite3BulkLoad } from './dialects/node-sqlite3-bulk-load';
export * from './errors';
export { LruCacheStore, type LruCacheStoreOptions } from './cache/lru-cache-store';
export { RedisCacheStore, type RedisCacheStoreOptions } from './cache/redis-cache-store';
export type {
  RedisClient,
  RedisClusterClient,
  RedisNodeClient,
  RedisPipeline,
} from './cache/redis-client';
export { TieredCacheStore, type TieredCacheStoreOptions } from './cache/tiered-cache-store';
export type {
  CacheStore,
  CacheRef,
  CacheLease,
  CacheRead,
  CacheTier,
  CacheInvalidation,
  StoreMetrics,
} from './cache/cache-store';
export type {
  LocalCacheTier,
  SharedCacheTier,
  TierSubscriber,
  TierSubscription,
} from './cache/cache-tiers';
export type { CoordinationScope, WarmingCoordination } from './cache/warming-coordination';
export type { CacheConfig, CachedOperation, WarmingConfig } from './cache/cache-config';
export type { CacheMetrics, WarmMetrics } from './cache/entity-cache';
export type { PopularQuery } from './warming/query-usage-tracker';
export type { WarmReport } from './warming/cache-warmer';
export type {
  LockStrategy,
  LockingBehaviour,
  LockingConfig,
  UpdateWithVersionOptions,
  Updater,
  MergeResolver,
} from './locking/locking-options';
export { LOCK_STRATEGIES } from './locking/locking-options';
export type { LockMetricsSnapshot } from './locking/lock-metrics';
export type { ConflictRecord } from './locking/conflict-history';
export { WriteCoalescer } from './coalescing/write-coalescer';
export type { BatchSink, Settled } from './coalescing/write-coalescer';
export {
  coalescerOptionsFromEnv,
  DEFAULT_COALESCER_OPTIONS,
  type CoalescerOptions,
} from './coalescing/coalescer-options';
export type { CoalescerMetrics, IndividualReason } from './coalescing/coalescer-metrics';
export type { HistogramSnapshot } from './coalescing/histogram';
export type { CreateBatchedOptions } from './coalescing/batched-create';
export type { WriteBehindConfig, WhenFull } from './write-behind/write-behind-config';
export type {
  Enqueued,
  EnqueueOptions,
  EnqueueReceipt,
} from './write-behind/write-behind-producer';
export type { StreamRedis } from './write-behind/stream-client';
export { WriteBehindDrainer, type DrainReport } from './write-behind/write-behind-drainer';
export {
  DEFAULT_DRAINER_OPTIONS,
  drainerOptionsFromEnv,
  type DrainerOptions,
} from './write-behind/drainer-options';
export type { WriteBehindMetrics } from './write-behind/drainer-metrics';
export type { StreamState } from './write-behind/group-stream';
export type { DeadLetter } from './write-behind/dead-letters';
export {
  DEFAULT_APPLIED_KEYS_TABLE,
  WriteBehindAppliedKeysMigration,
} from './write-behind/applied-keys-migration';
export { withTransaction, type TransactionWork } from './transactions/with-transaction';
export {
  DEFAULT_RETRY_CONFIG,
  isRetryable,
  type RetryConfig,
  type RetrySettings,
} from './transactions/retry-policy';
export {
  ISOLATION_LEVELS,
  type IsolationLevel,
  type Propagation,
  type TransactionOptions,
} from './transactions/transaction-options';
export type { FetchMode, QueryParams, RawQueryOptions } from './query/raw-query-options';
export type { SqlLexicon } from './dialects/sql-lexicon';
