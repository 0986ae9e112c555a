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
  /**
   * Rows to skip. The server still reads them: a deep page costs as much as all the pages before
   * it; `after` does not.
   * @default 0
   */
  readonly offset?: number;
  /**
   * Keyset paging: `null` for the first page, then the `nextCursor` of the page before. `list`
   * then returns `{ items, nextCursor }` and starts right after the previous page's last row by
   * the sort keys and the primary key, so a deep page costs what the first does. Not with
   * `offset`. A cursor that does not decode or belongs to another order is `FilterError`
   * `FILTER_INVALID_CURSOR`.
   * @default undefined (offset paging; `list` returns the rows)
   * Cost: one row more than `limit` is read, to know whether another page exists; the index that
   *   serves the order serves the cursor's range.
   */
  readonly after?: string | null;
}

/** A keyset page: the rows, and the cursor of the next page (`null` after the last one). */
export interface ListPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
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
