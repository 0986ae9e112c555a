import type { Filters } from '../filters/filter-types';
import type { OrderBy } from '../filters/order-by';

/** Options of the single-row read calls. */
export interface ReadOptions {
  /**
   * Include soft-deleted rows.
   * @default false
   */
  readonly withDeleted?: boolean;
}

export interface ListOptions<T> extends ReadOptions {
  /** @default {} (every row) */
  readonly filters?: Filters<T>;
  /**
   * `'-salary'`, `['department', '-salary']` or `{ salary: 'DESC' }`.
   * @default the primary key, ascending, so that pages are stable
   */
  readonly orderBy?: OrderBy<T>;
  /** @default no limit */
  readonly limit?: number;
  /** @default 0 */
  readonly offset?: number;
}

export interface UpdateOptions {
  /**
   * Only update while the row's `@VersionColumn` still has this value, else throw
   * `OptimisticLockError` and change nothing.
   * @default undefined (no check; the version is still bumped)
   * Cost: none on success; one extra SELECT when the update matches nothing.
   */
  readonly expectedVersion?: number;
}

export interface DeleteOptions extends ReadOptions {
  /** @default the repository's `softDelete` option */
  readonly soft?: boolean;
}
