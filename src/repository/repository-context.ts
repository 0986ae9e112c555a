import type { DataSource, Driver, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { DialectAdapter } from '../dialects/dialect-adapter';
import {
  FilterError,
  mayHaveWritten,
  RepositoryError,
  ValidationError,
  type FieldError,
} from '../errors';
import { compileFilter } from '../filters/filter-compiler';
import { canonicalKey, checkStored, keyExpectation } from '../model/column-values';
import { byIdStatement } from './read-statements';
import { MATCH_ALL, type FilterNode } from '../filters/filter-node';
import { parseFilters } from '../filters/filter-parser';
import { ParameterBag } from '../sql/parameter-bag';
import { SqlFragment } from '../sql/sql-fragment';
import { SqlExpression, type Statement } from '../sql/statement';
import type { WriteStatements } from '../sql/write-statements';
import type { DtoValidator } from './dto-validator';
import type { EntityModel, ModelColumn } from '../model/entity-model';
import type { EntityCache } from '../cache/entity-cache';
import type { RowSnapshots } from '../cache/row-snapshot';
import type { AfterCommit } from '../transactions/after-commit';
import type { RetryConfig } from '../transactions/retry-policy';
import type { RepositoryEvents, EntityId } from './repository-events';
import { executeStatement, type StatementResult } from './statement-executor';
import type { TenantScope } from './tenant-scope';
import { emitPending, type WriteChange } from './write-change';

/** The alias of the entity's table in every SELECT a repository builds. */
export const ALIAS = 'e';

/** Which of the repository's guards a statement applies beside its own filter. */
export interface GuardOptions {
  /** Include soft-deleted rows: no `deleted_at IS NULL` guard. @default false */
  readonly withDeleted?: boolean;
  /**
   * Apply the tenant guard. Off only for reads whose result is checked against the caller's
   * tenant afterwards (a cached row entry holds the row whatever its tenant).
   * @default true
   */
  readonly scoped?: boolean;
}

/** {@link GuardOptions} and how the WHERE clause names the entity's table. */
export interface WhereOptions extends GuardOptions {
  /** Qualify columns with this alias (`"e"."id"`). @default unqualified */
  readonly alias?: string;
}

/** Counts cached reads for the warmer (warming's `QueryUsageTracker` is one). */
export interface UsageRecorder {
  /** One use of the read `key`; `spec` (or `key`) is what the warmer re-runs. */
  record(key: string, spec?: string | (() => string)): void;
}

/** What a repository is made of, resolved once at construction and shared by its operations. */
export interface RepositoryParts<T extends ObjectLiteral> {
  readonly dataSource: DataSource;
  readonly adapter: DialectAdapter;
  readonly model: EntityModel<T>;
  /** The repository's options that operations read at call time: its own `retry` defaults. */
  readonly options: { readonly retry?: RetryConfig };
  readonly tenant: TenantScope;
  readonly softDelete: boolean;
  readonly statements: WriteStatements<T>;
  readonly events: RepositoryEvents<T>;
  readonly validators: { readonly create: DtoValidator; readonly update: DtoValidator };
  /** Defers write effects to the commit of the transaction they ran in. */
  readonly afterCommit: AfterCommit;
  /** The entity's cache, when the repository has one. */
  readonly cache?: EntityCache;
  /** Counts cached reads for the warmer, when usage tracking is on. */
  readonly usage?: UsageRecorder;
  /** Builds entities from raw rows ({@link rowHydrator}). */
  readonly hydrate: (raw: Readonly<Record<string, unknown>>) => T;
  /** Copies entities into cache snapshots and back. */
  readonly snapshots: RowSnapshots;
}

/**
 * The working parts of a repository bound to one EntityManager (the DataSource's, or an open
 * transaction's). The single-row facade and the bulk operations both build their statements
 * here, so the tenant and soft-delete guards, validation and error translation exist once.
 */
export class RepositoryContext<T extends ObjectLiteral> {
  readonly driver: Driver;

  constructor(
    readonly parts: RepositoryParts<T>,
    readonly manager: EntityManager,
  ) {
    this.driver = parts.dataSource.driver;
  }

  get model(): EntityModel<T> {
    return this.parts.model;
  }

  get dataSource(): DataSource {
    return this.parts.dataSource;
  }

  /** Copies entities into cache snapshots and back. */
  get snapshots(): RowSnapshots {
    return this.parts.snapshots;
  }

  get adapter(): DialectAdapter {
    return this.parts.adapter;
  }

  // What the operations built on a context read of its parts, so that none needs the parts.

  /** The call's tenant (`current()`), how a write is stamped with it, and its guard. */
  get tenant(): TenantScope {
    return this.parts.tenant;
  }

  /** The entity's table, quoted for the dialect. */
  get table(): string {
    return this.parts.statements.table;
  }

  /** The single-statement INSERT, UPDATE and DELETE of the entity. */
  get statements(): WriteStatements<T> {
    return this.parts.statements;
  }

  get events(): RepositoryEvents<T> {
    return this.parts.events;
  }

  /** Whether a delete is soft unless the call says otherwise (the `softDelete` option). */
  get softDelete(): boolean {
    return this.parts.softDelete;
  }

  /** The repository's `retry` defaults, read at call time. */
  get retry(): RetryConfig | undefined {
    return this.parts.options.retry;
  }

  /** The entity's cache, when the repository has one. */
  get cache(): EntityCache | undefined {
    return this.parts.cache;
  }

  /** Whether statements run inside an open transaction (the caller's). */
  get inTransaction(): boolean {
    return this.manager.queryRunner?.isTransactionActive ?? false;
  }

  /** The same repository on another manager, e.g. inside a transaction. */
  withManager(manager: EntityManager): RepositoryContext<T> {
    return new RepositoryContext(this.parts, manager);
  }

  /** The same repository with the tenant fixed (the warmer re-runs a read for its tenant). */
  withTenant(tenant: string | undefined): RepositoryContext<T> {
    return new RepositoryContext(
      { ...this.parts, tenant: this.parts.tenant.fixed(tenant) },
      this.manager,
    );
  }

  /**
   * The WHERE clause for `node` plus the guards `options` asks for (by default both), with its
   * values: a statement writes it in place, and a caller that must fit a bind-parameter limit
   * counts its `parameters`.
   */
  where(node: FilterNode, options: WhereOptions = {}): SqlFragment {
    const { withDeleted = false, alias, scoped = true } = options;
    const quote = (name: string) => this.adapter.syntax.quoteIdentifier(name);
    const columnRef = alias
      ? (c: ModelColumn) => `${quote(alias)}.${quote(c.databaseName)}`
      : (c: ModelColumn) => quote(c.databaseName);
    const { tenant } = this.parts;
    const current = scoped ? tenant.current() : undefined;
    return SqlFragment.of((bind) => {
      const parts: string[] = [];
      if (scoped && tenant.column && current !== undefined) {
        parts.push(tenant.guard(this.adapter, columnRef(tenant.column), current, bind));
      }
      if (!withDeleted && this.model.deleteDate) {
        parts.push(`${columnRef(this.model.deleteDate)} IS NULL`);
      }
      if (node !== MATCH_ALL) {
        const toDatabase = (column: ModelColumn, value: unknown) =>
          this.driver.preparePersistentValue(value, column.metadata);
        parts.push(compileFilter(node, { adapter: this.adapter, columnRef, bind, toDatabase }));
      }
      return parts.length > 0 ? parts.join(' AND ') : '1 = 1';
    });
  }

  /** A SelectQueryBuilder over the entity with the guards and `node` applied. */
  select(node: FilterNode, guards: GuardOptions = {}): SelectQueryBuilder<T> {
    const params = new ParameterBag();
    const sql = this.where(node, { ...guards, alias: ALIAS }).writeInto(params.bind);
    // withDeleted(): our own guard is the only soft-delete filter, the same in every statement.
    return this.manager
      .createQueryBuilder(this.model.target, ALIAS)
      .withDeleted()
      .where(sql, { ...params.values });
  }

  /**
   * Runs a statement. When its answer is lost (the connection died after it was sent) it may
   * have written, so the entity's cached rows are invalidated before the error goes on.
   */
  async execute(statement: Statement): Promise<StatementResult> {
    try {
      return await this.run(() => executeStatement(this.manager, statement.sql, statement.params));
    } catch (error) {
      if (mayHaveWritten(error)) await this.afterWrite({ ids: undefined, events: [] });
      throw error;
    }
  }

  /** Runs a database call and translates driver errors into typed ones. */
  async run<R>(call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (error) {
      throw error instanceof RepositoryError ? error : this.adapter.errors.translate(error);
    }
  }

  /**
   * Reports a write. At commit (at once outside a transaction) the cache entries it affects are
   * invalidated and then its events fire; a rollback drops both. Every write path calls this once.
   */
  afterWrite(change: WriteChange<T>): void | Promise<void> {
    const { events, afterCommit, cache } = this.parts;
    const notify = change.events.length > 0 && events.enabled;
    if (!cache && !notify) return;
    return afterCommit.defer(
      this.manager.queryRunner,
      async () => {
        await cache?.invalidate(change.ids);
        if (notify) for (const pending of change.events) emitPending(events, pending);
      },
      cache && (() => cache.invalidate(change.ids)),
    );
  }

  /**
   * Evicts cached rows that a read just proved stale (a missed update found the row moved on or
   * gone). At once, even inside a transaction: an eviction can never make the cache stale, and a
   * rollback must not leave a caller looping on the stale copy.
   */
  async evictStale(ids: readonly EntityId[]): Promise<void> {
    await this.parts.cache?.invalidate(ids);
  }

  /** The row with this id as the database holds it now (never from the cache), or `null`. */
  async loadRow(id: unknown, guards: GuardOptions = {}): Promise<T | null> {
    const { rows } = await this.execute(byIdStatement(this, this.canonicalId(id), guards));
    return rows[0] ? this.hydrate(rows[0]) : null;
  }

  hydrate(raw: Readonly<Record<string, unknown>>): T {
    return this.parts.hydrate(raw);
  }

  /**
   * Validates input against a DTO and maps it to entity columns; properties that are not
   * columns, and the columns the repository maintains, are refused. Synchronous (throwing
   * {@link ValidationError}) where the DTO's check is; see {@link DtoValidator.validate}.
   */
  validated(
    dto: 'create' | 'update',
    input: unknown,
    index?: number,
  ): Record<string, unknown> | Promise<Record<string, unknown>> {
    const values = this.parts.validators[dto].validate(input, index);
    return values instanceof Promise
      ? values.then((checked) => this.checkColumns(checked, index))
      : this.checkColumns(values, index);
  }

  /**
   * Refuses properties that are not columns, columns the repository maintains, and values their
   * column cannot hold ({@link checkStored}); returns the values in the spelling to send.
   */
  checkColumns(values: Record<string, unknown>, index?: number): Record<string, unknown> {
    const problems: FieldError[] = [];
    let out = values;
    for (const [field, value] of Object.entries(values)) {
      const column = this.model.column(field);
      if (!column) {
        problems.push({ field, constraints: { isColumn: `not a column of ${this.model.name}` } });
      } else if (this.model.isManaged(column)) {
        problems.push({ field, constraints: { isManaged: 'maintained by the repository' } });
      } else {
        const checked = checkStored(column, value);
        if ('problem' in checked) {
          const { constraint, message } = checked.problem;
          problems.push({ field, constraints: { [constraint]: message } });
        } else if (checked.value !== value) {
          // A copy: the values may be the caller's own object.
          if (out === values) out = { ...values };
          out[field] = checked.value;
        }
      }
    }
    if (problems.length > 0) throw new ValidationError(this.model.name, problems, index);
    return out;
  }

  /**
   * Parses a caller's filter. Its values may take what one statement binds besides its own
   * parameters, so that a longer `__in` list is a FilterError (`FILTER_TOO_LARGE`) before any SQL
   * rather than a driver error: the dialect's limit less the tenant guard, one per column (a
   * bulkUpdate's SET) and one more (the last key of a keyset page).
   */
  parseFilters(filters: unknown): FilterNode {
    const { tenant } = this.parts;
    let guard = 0;
    if (tenant.column) tenant.guard(this.adapter, '', '', () => `?${guard++}`);
    const maxValues =
      this.adapter.capabilities.maxBindParameters - guard - this.model.columns.length - 1;
    const listParameters = (length: number) => this.adapter.syntax.listParameters(length);
    return parseFilters(filters, this.model, { maxValues, listParameters });
  }

  /**
   * The caller's id in its one canonical spelling (see {@link canonicalKey}), so that the SQL, the
   * cache key and the events all name the same row: `'01'` is `1`, an upper-case UUID is lower.
   * @throws FilterError `FILTER_INVALID_VALUE` naming the key column for what is no valid key of
   *   it (`1.5`, `'1.0'`, a number past 2^53, an integer out of the column's range, a non-UUID)
   */
  canonicalId(id: unknown): EntityId {
    const { primary } = this.model;
    const key = canonicalKey(primary, id);
    if (key === undefined)
      throw FilterError.invalidValue(primary.property, keyExpectation(primary));
    return key;
  }

  /** The filter `pk = id`, `id` made canonical first. */
  idFilter(id: unknown): FilterNode {
    return parseFilters({ [this.model.primary.property]: this.canonicalId(id) }, this.model);
  }

  now(): SqlExpression {
    return new SqlExpression(this.adapter.syntax.currentTimestamp());
  }
}

/** `a AND b`. */
export function andFilters(a: FilterNode, b: FilterNode): FilterNode {
  return Object.freeze({ kind: 'and', children: Object.freeze([a, b]) });
}
