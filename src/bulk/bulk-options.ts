/**
 * Which events a bulk call fires: `true` one `bulkCreated`/`bulkUpdated`/`bulkDeleted` per call,
 * `'perRow'` the single-row events instead, `false` none.
 */
export type EmitEvents = boolean | 'perRow';

export interface BulkUpdateOptions {
  /**
   * Update in primary-key chunks of this many rows, each its own statement, so a huge table is
   * never locked by one statement.
   * @default undefined (one statement)
   * Cost: one extra SELECT of keys per chunk.
   */
  readonly batchSize?: number;
  /**
   * @default true
   * Cost: nothing when no listener is registered for the event. `true` adds `RETURNING pk` where
   * the dialect has it (MySQL reads ids only with `batchSize`); `'perRow'` also reads every
   * updated row (on MySQL under `SELECT … FOR UPDATE`, in pages).
   */
  readonly emitEvents?: EmitEvents;
  /**
   * An empty filter updates every (visible) row; it is refused with `FilterError`
   * (`FILTER_EMPTY`) unless this is set.
   * @default false
   * Cost: nothing; with `true` an empty filter writes the whole table in one statement (or one
   * per `batchSize` page).
   */
  readonly allowAll?: boolean;
}

export interface BulkDeleteOptions {
  /** @default true when the entity has a `@DeleteDateColumn` (and the repository's `softDelete`) */
  readonly soft?: boolean;
  /** As for {@link BulkUpdateOptions.batchSize}. @default undefined (one statement) */
  readonly batchSize?: number;
  /** @default true */
  readonly emitEvents?: EmitEvents;
  /**
   * An empty filter deletes every (visible) row; it is refused with `FilterError`
   * (`FILTER_EMPTY`) unless this is set.
   * @default false
   */
  readonly allowAll?: boolean;
}

export interface BulkUpdateByIdsOptions {
  /**
   * Rows per statement.
   * @default as many as the dialect's bind-parameter limit allows, at most 1000
   */
  readonly batchSize?: number;
  /** @default true */
  readonly emitEvents?: EmitEvents;
  /**
   * Validate each row's changes against the Update DTO.
   * @default true
   * Cost: about 1 µs a valid row (the compiled check); class-validator for failing rows.
   */
  readonly validate?: boolean;
}

export { DEFAULT_BATCH_SIZE } from '../dialects/bulk-load';

/** What `bulkCreate` does with a row whose key already exists. */
export type OnConflict = 'error' | 'skip' | 'update';

/** Progress reported after each batch. `total` is known for arrays, not for async iterables. */
export interface BulkProgress {
  readonly processed: number;
  readonly batches: number;
  readonly total?: number;
}

export interface BulkCreateOptions<T = Record<string, unknown>> {
  /**
   * Rows per INSERT statement; lowered further where the dialect's bind-parameter or packet
   * limit requires.
   * @default 1000; 5000 on PostgreSQL, whose `unnest` INSERTs and COPY loads do not grow with the
   * rows (the best sizes measured by `npm run bench -- batch`)
   * Cost: larger batches use more memory and make error isolation bisect deeper.
   */
  readonly batchSize?: number;
  /**
   * `'error'`: a conflicting row is reported in `errors` (`UNIQUE_VIOLATION`) and the others are
   * stored. `'skip'`: conflicting rows are left as they are and counted in `skippedCount`.
   * `'update'`: an upsert; the version is bumped and the update date set.
   * @default 'error'
   */
  readonly onConflict?: OnConflict;
  /**
   * The unique key that identifies a conflict, as property names.
   * @default the primary key
   */
  readonly conflictTarget?: readonly (keyof T & string)[];
  /**
   * Columns an upsert overwrites.
   * @default the row's own non-key columns: a column the row leaves out is never overwritten
   */
  readonly updateColumns?: readonly (keyof T & string)[];
  /**
   * Fill `createdIds`.
   * @default true
   * Cost: RETURNING on PostgreSQL/SQLite (small); on MySQL, a SELECT by key for upserts and skips.
   */
  readonly returnIds?: boolean;
  /** @default true (one `bulkCreated` event per call) */
  readonly emitEvents?: EmitEvents;
  /**
   * Plan and validate only: `dryRun.statements` lists the SQL that would run. Nothing is written.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Stamp rows with this tenant. On a repository whose resolver returns a tenant it must be that
   * tenant (compared exactly), or the call fails with `TENANT_MISMATCH` before any SQL runs;
   * with no tenant resolved it is taken as given.
   * @default the resolver's
   */
  readonly tenantId?: string;
  /**
   * Let `tenantId` name a tenant other than the resolved one: the rows are stamped with it and an
   * upsert may overwrite that tenant's rows. For trusted, administrative callers only.
   * @default false (a `tenantId` other than the current tenant is refused)
   */
  readonly crossTenant?: boolean;
  /**
   * Called after each batch, in input order: `processed` counts the input rows before the next
   * unreported one, even when a later batch written side by side finished first.
   * @default none
   */
  readonly onProgress?: (progress: BulkProgress) => void;
  /**
   * Validate each row against the Create DTO first; an invalid row is reported by index.
   * @default true
   * Cost: a compiled check, about 1 µs for a valid row of a plain DTO (class-validator itself
   * for failing rows and for DTOs with nested, grouped or async rules); `false` skips it.
   */
  readonly validate?: boolean;
  /**
   * All or nothing: on any failing row, roll everything back and throw `BulkOperationError`
   * listing the failures.
   * @default false (every good row is stored, every bad row reported)
   */
  readonly atomic?: boolean;
}
