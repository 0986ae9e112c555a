import type { ObjectLiteral } from 'typeorm';
import type { CacheConfig } from '../cache/cache-config';
import type { DtoClass } from './dto-validator';
import type { TenantConfig } from './tenant-scope';

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
   * Cache this entity's reads (`findById`, `findOne`, `list`, `count`) in an in-process, Redis or
   * tiered store. Every write invalidates what it affects before it returns (at commit inside a
   * transaction). See docs/caching.md.
   * @default undefined (no caching)
   * Cost: a hit replaces a query; a miss adds one store round trip; each write adds one
   * invalidation round trip.
   */
  readonly cache?: CacheConfig;
}
