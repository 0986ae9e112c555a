import type { ObjectLiteral } from 'typeorm';
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
}
