import type { ObjectLiteral } from 'typeorm';
import type { CacheConfig } from '../cache/cache-config';
import type { WriteCoalescer } from '../coalescing/write-coalescer';
import type { DtoClass } from '../repository/dto-validator';
import type { LockingConfig } from '../locking/locking-options';
import type { RetryConfig } from '../transactions/retry-policy';
import type { TenantConfig } from '../repository/tenant-scope';
import type { WriteBehindConfig } from '../write-behind/write-behind-config';

/** Options a repository is built with. Wrong options fail in the constructor. */
export interface RepositoryOptions<T extends ObjectLiteral = ObjectLiteral> {
  /** class-validator DTO that `create` input must satisfy. Required. */
  readonly createDto: DtoClass;
  /** class-validator DTO that `update` input must satisfy. Required. */
  readonly updateDto: DtoClass;
  /**
   * Scope every call to one tenant.
   * @default undefined (not scoped)
   * Cost: one extra equality condition per statement; index the tenant column.
   */
  readonly tenant?: TenantConfig<T>;
  /**
   * Whether `delete(id)` sets the `@DeleteDateColumn` instead of removing the row.
   * @default true when the entity has a `@DeleteDateColumn`, false otherwise
   * Cost: every read adds `deleted_at IS NULL`; include it in partial or composite indexes.
   */
  readonly softDelete?: boolean;
  /**
   * Fire `created`, `updated`, `deleted` and `restored` events.
   * @default true
   * Cost: one synchronous call per listener per write; none when no listener is registered.
   */
  readonly events?: boolean;
  /**
   * Defaults for `updateWithVersion` (strategy, retries, backoff, jitter) and the size of the
   * conflict history; each is documented on {@link LockingConfig}. Checked in the constructor.
   * @default {} (strategy 'retry', maxRetries 5, backoff 10 ms ×2 up to 1 s with full jitter,
   *   history of 100 conflicts)
   * Cost: none until `updateWithVersion` runs or a version conflict happens.
   */
  readonly locking?: LockingConfig;
  /**
   * Cache this entity's reads (`findById`, `findOne`, `list`, `count`) in an in-process, Redis or
   * tiered store. Every write invalidates what it affects before it returns (at commit inside a
   * transaction). See docs/caching.md.
   * @default undefined (no caching)
   * Cost: a hit replaces a query; a miss adds one store round trip; each write adds one
   * invalidation round trip.
   */
  readonly cache?: CacheConfig;
  /**
   * Groups `createBatched` calls into bulk INSERTs. Share one {@link WriteCoalescer} between
   * repositories to bound their pending entries together and drain them with one `close()`.
   * See docs/write-coalescing.md.
   * @default undefined (the repository makes its own on the first `createBatched`, with the
   *   default options; reach it through `repo.coalescer`)
   * Cost: nothing until `createBatched` is called.
   */
  readonly coalescer?: WriteCoalescer;
  /**
   * Durable write-behind on Redis Streams: `enqueueCreate` / `enqueueUpsert` append here, and a
   * `WriteBehindDrainer` given this repository writes the entries. Checked in the constructor.
   * See docs/write-behind.md.
   * @default undefined (the enqueue calls throw ConfigurationError)
   * Cost: nothing until an enqueue call.
   */
  readonly writeBehind?: WriteBehindConfig<T>;
  /**
   * Defaults for retrying `repo.transaction` on transient errors (deadlock, serialization
   * failure, lock wait timeout, `SQLITE_BUSY`, refused connection); a call's own `retry` fields
   * win. The statements of a bulk call outside a transaction are retried by the same settings
   * (two windows written side by side can deadlock), except after a refused connection. Each field is documented on {@link RetryConfig}. Checked in the constructor.
   * @default {} (3 retries, backoff 20 ms ×2 up to 1 s with full jitter; `maxRetries: 0` turns
   *   retrying off)
   * Cost: nothing unless a transient error happens; then each retry runs the callback again.
   */
  readonly retry?: RetryConfig;
  /**
   * Let `query()` run DDL and other administrative statements (CREATE, DROP, ALTER, TRUNCATE,
   * GRANT, REVOKE, RENAME, SET, PRAGMA, COPY, CALL, DO, `SELECT … INTO`). Several statements in
   * one string and transaction control stay refused. See docs/raw-queries.md.
   * @default false
   * Cost: none; the check is a scan of the SQL text that runs either way.
   */
  readonly allowAdmin?: boolean;
}
