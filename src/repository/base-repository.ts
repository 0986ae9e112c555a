import type {
  DataSource,
  EntityManager,
  EntityTarget,
  ObjectLiteral,
  SelectQueryBuilder,
} from 'typeorm';
import { adapterFor } from '../dialects/adapter-for';
import type { Bind, DialectAdapter } from '../dialects/dialect-adapter';
import {
  ConfigurationError,
  FilterError,
  NotFoundError,
  OptimisticLockError,
  RepositoryError,
  ValidationError,
  type FieldError,
} from '../errors';
import { compileFilter } from '../filters/filter-compiler';
import { MATCH_ALL, type FilterNode } from '../filters/filter-node';
import { parseFilters } from '../filters/filter-parser';
import type { Filters } from '../filters/filter-types';
import { checkPageBound, parseOrderBy } from '../filters/order-by';
import { ParameterBag } from '../filters/parameter-bag';
import type { DeleteOptions, ListOptions, ReadOptions, UpdateOptions } from './call-options';
import { validateDto } from './dto-validator';
import { EntityModel, type ModelColumn } from './entity-model';
import type { RepositoryOptions } from './repository-options';
import {
  RepositoryEvents,
  type EntityId,
  type RepositoryEventMap,
  type RepositoryEventName,
} from './repository-events';
import { hydrateRow } from './row-hydrator';
import { executeStatement, type StatementResult } from './statement-executor';
import { TenantScope } from './tenant-scope';
import {
  SqlExpression,
  WriteStatements,
  type Statement,
  type WhereWriter,
} from './write-statements';

/** The alias of the entity's table in every SELECT this repository builds. */
const ALIAS = 'e';

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
 * Reads go through TypeORM's SelectQueryBuilder; writes are single hand-built statements
 * (`… RETURNING *` where the dialect has it), so a create or update is one round trip on
 * PostgreSQL and SQLite.
 */
export class BaseRepository<
  T extends ObjectLiteral,
  C extends object = Partial<T>,
  U extends object = Partial<T>,
> {
  readonly model: EntityModel<T>;
  readonly events: RepositoryEvents<T>;
  protected readonly dataSource: DataSource;
  protected readonly adapter: DialectAdapter;
  readonly #options: RepositoryOptions<T>;
  readonly #tenant: TenantScope;
  readonly #softDelete: boolean;
  readonly #manager: EntityManager;
  readonly #statements: WriteStatements<T>;

  constructor(dataSource: DataSource, target: EntityTarget<T>, options: RepositoryOptions<T>) {
    if (!options?.createDto || !options.updateDto) {
      throw new ConfigurationError('createDto and updateDto are required');
    }
    this.dataSource = dataSource;
    this.adapter = adapterFor(dataSource);
    this.model = new EntityModel(dataSource, target);
    this.#options = options;
    this.#tenant = new TenantScope(this.model, options.tenant);
    this.#softDelete = options.softDelete ?? this.model.deleteDate !== undefined;
    if (this.#softDelete && !this.model.deleteDate) {
      throw new ConfigurationError(`${this.model.name}: softDelete needs a @DeleteDateColumn`);
    }
    this.events = new RepositoryEvents<T>(options.events ?? true);
    this.#manager = dataSource.manager;
    this.#statements = new WriteStatements(this.model, this.adapter, dataSource.driver);
  }

  // ── reads ──────────────────────────────────────────────────────────────────

  /** The row with this primary key, or `null` (also when soft-deleted or another tenant's). */
  async findById(id: EntityId, options: ReadOptions = {}): Promise<T | null> {
    return this.#run(() => this.#select(this.#idFilter(id), options.withDeleted).getOne());
  }

  /** The first row (by primary key) matching `filters`, or `null`. */
  async findOne(filters: Filters<T>, options: ReadOptions = {}): Promise<T | null> {
    const query = this.#select(parseFilters(filters, this.model), options.withDeleted);
    this.#orderByPrimary(query);
    return this.#run(() => query.limit(1).getOne());
  }

  /** Rows matching `filters`, ordered and paged. */
  async list(options: ListOptions<T> = {}): Promise<T[]> {
    const query = this.#select(parseFilters(options.filters, this.model), options.withDeleted);
    const sort = parseOrderBy(options.orderBy, this.model);
    const limit = checkPageBound('limit', options.limit);
    const offset = checkPageBound('offset', options.offset);
    for (const { column, direction } of sort) {
      query.addOrderBy(
        `${ALIAS}.${column.property}`,
        direction,
        this.adapter.nullsOrdering(direction),
      );
    }
    if (!sort.some((s) => s.column === this.model.primary)) this.#orderByPrimary(query);
    if (limit !== undefined) query.limit(limit);
    if (offset !== undefined) query.offset(offset);
    return this.#run(() => query.getMany());
  }

  async count(filters?: Filters<T>, options: ReadOptions = {}): Promise<number> {
    const query = this.#select(parseFilters(filters, this.model), options.withDeleted);
    return this.#run(() => query.getCount());
  }

  async exists(filters?: Filters<T>, options: ReadOptions = {}): Promise<boolean> {
    const query = this.#select(parseFilters(filters, this.model), options.withDeleted);
    return this.#run(() => query.getExists());
  }

  // ── writes ─────────────────────────────────────────────────────────────────

  /** Validates `dto`, stamps the tenant, inserts, and returns the stored row. */
  async create(dto: C): Promise<T> {
    const values = await this.#validated(this.#options.createDto, dto);
    const tenant = this.#tenant.current();
    this.#tenant.stamp(values, tenant);
    const result = await this.#execute(this.#statements.insert(values));
    const stored =
      this.#hydrateFirst(result) ??
      (await this.#mustLoad(
        (values[this.model.primary.property] ?? this.adapter.insertedId(result.raw)) as EntityId,
        true,
      ));
    const id = stored[this.model.primary.property] as EntityId;
    this.events.emit('created', { entity: this.model.name, id, record: stored, tenantId: tenant });
    return stored;
  }

  /**
   * Validates `dto` and updates the row, bumping its `@VersionColumn` and `@UpdateDateColumn`.
   * @throws NotFoundError when the row is missing, soft-deleted or another tenant's
   * @throws OptimisticLockError when `expectedVersion` is given and the row has moved on
   */
  async update(id: EntityId, dto: U, options: UpdateOptions = {}): Promise<T> {
    const values = await this.#validated(this.#options.updateDto, dto);
    const tenant = this.#tenant.current();
    this.#tenant.stamp(values, tenant);
    let target = this.#idFilter(id);
    if (options.expectedVersion !== undefined) {
      target = this.#withExpectedVersion(target, options.expectedVersion);
    }
    const result = await this.#updateWhere(target, values, false);
    if (result.affected === 0) await this.#explainMissedUpdate(id, options.expectedVersion);
    const updated = this.#hydrateFirst(result) ?? (await this.#mustLoad(id, false));
    this.events.emit('updated', { entity: this.model.name, id, record: updated, tenantId: tenant });
    return updated;
  }

  /**
   * Deletes the row: soft (sets the `@DeleteDateColumn`) by default when the entity has one.
   * @throws NotFoundError when there is no such (visible) row
   */
  async delete(id: EntityId, options: DeleteOptions = {}): Promise<void> {
    const soft = options.soft ?? this.#softDelete;
    const tenant = this.#tenant.current();
    const where = this.#idFilter(id);
    const withDeleted = options.withDeleted ?? false;
    const { affected } = soft
      ? await this.#updateWhere(
          where,
          { [this.#deleteDate('soft delete').property]: this.#now() },
          withDeleted,
        )
      : await this.#execute(this.#statements.delete(this.#whereWriter(where, withDeleted)));
    if (affected === 0) throw new NotFoundError(this.model.name, id);
    this.events.emit('deleted', { entity: this.model.name, id, soft, tenantId: tenant });
  }

  /** Clears the `@DeleteDateColumn` of a soft-deleted row. Restoring a live row returns it unchanged. */
  async restore(id: EntityId): Promise<T> {
    const deleteDate = this.#deleteDate('restore');
    const tenant = this.#tenant.current();
    const deleted = this.#and(
      this.#idFilter(id),
      parseFilters({ [`${deleteDate.property}__isnull`]: false }, this.model),
    );
    const result = await this.#updateWhere(deleted, { [deleteDate.property]: null }, true);
    const row = this.#hydrateFirst(result) ?? (await this.findById(id));
    if (!row) throw new NotFoundError(this.model.name, id);
    if (result.affected > 0) {
      this.events.emit('restored', { entity: this.model.name, id, record: row, tenantId: tenant });
    }
    return row;
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

  // ── statement building ─────────────────────────────────────────────────────

  /** The WHERE clause for `node` plus the tenant and soft-delete guards. */
  #where(node: FilterNode, withDeleted: boolean, bind: Bind, alias?: string): string {
    const quote = (name: string) => this.adapter.quoteIdentifier(name);
    const columnRef = alias
      ? (c: ModelColumn) => `${quote(alias)}.${quote(c.databaseName)}`
      : (c: ModelColumn) => quote(c.databaseName);
    const parts: string[] = [];
    const tenant = this.#tenant.current();
    if (this.#tenant.column && tenant !== undefined) {
      parts.push(`${columnRef(this.#tenant.column)} = ${bind(tenant)}`);
    }
    if (!withDeleted && this.model.deleteDate) {
      parts.push(`${columnRef(this.model.deleteDate)} IS NULL`);
    }
    if (node !== MATCH_ALL) {
      const toDatabase = (column: ModelColumn, value: unknown) =>
        this.dataSource.driver.preparePersistentValue(value, column.metadata);
      parts.push(compileFilter(node, { adapter: this.adapter, columnRef, bind, toDatabase }));
    }
    return parts.length > 0 ? parts.join(' AND ') : '1 = 1';
  }

  #whereWriter(node: FilterNode, withDeleted: boolean): WhereWriter {
    return (bind) => this.#where(node, withDeleted, bind);
  }

  #select(node: FilterNode, withDeleted = false): SelectQueryBuilder<T> {
    const params = new ParameterBag();
    const sql = this.#where(node, withDeleted, params.bind, ALIAS);
    // withDeleted(): our own guard is the only soft-delete filter, the same in every statement.
    return this.#manager
      .createQueryBuilder(this.model.target, ALIAS)
      .withDeleted()
      .where(sql, { ...params.values });
  }

  #orderByPrimary(query: SelectQueryBuilder<T>): void {
    query.addOrderBy(`${ALIAS}.${this.model.primary.property}`, 'ASC');
  }

  /** UPDATE with the version and update-date bumps; returns the rows where RETURNING exists. */
  #updateWhere(
    node: FilterNode,
    values: Record<string, unknown>,
    withDeleted: boolean,
  ): Promise<StatementResult> {
    return this.#execute(this.#statements.update(values, this.#whereWriter(node, withDeleted)));
  }

  #execute(statement: Statement): Promise<StatementResult> {
    return this.#run(() => executeStatement(this.#manager, statement.sql, statement.params));
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  #idFilter(id: EntityId): FilterNode {
    if (!['string', 'number', 'bigint'].includes(typeof id)) {
      throw FilterError.invalidValue(this.model.primary.property, 'a primary key value');
    }
    return parseFilters({ [this.model.primary.property]: id }, this.model);
  }

  #withExpectedVersion(node: FilterNode, expected: number): FilterNode {
    const version = this.model.version;
    if (!version) {
      throw new ConfigurationError(`${this.model.name}: expectedVersion needs a @VersionColumn`);
    }
    return this.#and(node, parseFilters({ [version.property]: expected }, this.model));
  }

  #and(a: FilterNode, b: FilterNode): FilterNode {
    return Object.freeze({ kind: 'and', children: Object.freeze([a, b]) });
  }

  #now(): SqlExpression {
    return new SqlExpression(this.adapter.currentTimestamp());
  }

  #hydrateFirst(result: StatementResult): T | undefined {
    const raw = result.rows[0];
    return raw ? hydrateRow(this.model, this.dataSource.driver, raw) : undefined;
  }

  /** After an update matched nothing: was the row missing, or had its version moved on? */
  async #explainMissedUpdate(id: EntityId, expectedVersion: number | undefined): Promise<void> {
    const current = await this.findById(id);
    if (!current) throw new NotFoundError(this.model.name, id);
    const version = this.model.version;
    if (expectedVersion !== undefined && version) {
      const actual = Number(current[version.property]);
      if (actual !== expectedVersion) {
        throw new OptimisticLockError(this.model.name, id, expectedVersion, actual);
      }
    }
  }

  async #mustLoad(id: EntityId, withDeleted: boolean): Promise<T> {
    const row = await this.findById(id, { withDeleted });
    if (!row) throw new NotFoundError(this.model.name, id);
    return row;
  }

  /**
   * Validates input against a DTO and maps it to entity columns; properties that are not
   * columns, and the columns the repository maintains, are refused.
   */
  async #validated(
    dtoClass: RepositoryOptions['createDto'],
    input: unknown,
  ): Promise<Record<string, unknown>> {
    const values = await validateDto(this.model.name, dtoClass, input);
    const problems: FieldError[] = [];
    for (const field of Object.keys(values)) {
      const column = this.model.column(field);
      if (!column) {
        problems.push({ field, constraints: { isColumn: `not a column of ${this.model.name}` } });
      } else if (this.model.isManaged(column)) {
        problems.push({ field, constraints: { isManaged: 'maintained by the repository' } });
      }
    }
    if (problems.length > 0) throw new ValidationError(this.model.name, problems);
    return values;
  }

  #deleteDate(purpose: string): ModelColumn {
    const column = this.model.deleteDate;
    if (!column) {
      throw new ConfigurationError(`${this.model.name}: ${purpose} needs a @DeleteDateColumn`);
    }
    return column;
  }

  /** Runs a database call and translates driver errors into typed ones. */
  async #run<R>(call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (error) {
      throw error instanceof RepositoryError ? error : this.adapter.translateError(error);
    }
  }
}
