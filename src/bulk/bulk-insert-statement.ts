import type { ObjectLiteral } from 'typeorm';
import type { Bind } from '../dialects/sql-syntax';
import type { ModelColumn } from '../model/entity-model';
import { PositionalParameters } from '../sql/positional-parameters';
import type { RepositoryContext } from '../repository/repository-context';
import type { Statement } from '../sql/statement';
import type { OnConflict } from './bulk-options';
import type { PlannedChunk } from './bulk-planner';
import { ColumnWriters } from './column-writers';
import type { PreparedRow } from './row-preparer';

/** How a bulk INSERT treats rows whose key already exists. */
export interface ConflictPolicy {
  readonly mode: OnConflict;
  /** The columns that identify a conflict. */
  readonly target: readonly ModelColumn[];
  /** Columns an upsert may overwrite; `undefined` means each chunk's own non-key columns. */
  readonly updateColumns?: readonly ModelColumn[];
}

/** VALUES statements kept per writer: a load has a few shapes (signatures × chunk sizes). */
const CACHED_SHAPES = 16;

/** The name the RETURNING clause gives the "was inserted" flag of an upsert. */
export const INSERTED_FLAG = '__inserted';

/**
 * Builds the multi-row `INSERT … VALUES (…), (…) [ON CONFLICT …] [RETURNING …]` of a chunk. The
 * version, create and update date columns are stamped as SQL (`1`, now), not as parameters.
 */
export class BulkInsertStatement<T extends ObjectLiteral> {
  readonly #stamps: readonly { column: ModelColumn; sql: string }[];
  readonly #returning: string;
  readonly #valuesSqlByShape = new Map<string, string>();
  readonly #writers: ColumnWriters<T>;

  /**
   * @param returnRows RETURNING every column (where the dialect has RETURNING) rather than the
   *   key, so that the caller gets the stored rows without reading them again
   */
  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly policy: ConflictPolicy,
    private readonly returnRows = false,
  ) {
    const { model, adapter } = context;
    const now = adapter.syntax.currentTimestamp();
    this.#stamps = [
      ...(model.version ? [{ column: model.version, sql: '1' }] : []),
      ...(model.createDate ? [{ column: model.createDate, sql: now }] : []),
      ...(model.updateDate ? [{ column: model.updateDate, sql: now }] : []),
    ];
    this.#writers = new ColumnWriters(context);
    this.#returning = this.#returningClause();
  }

  /** Whether the statement returns one row per inserted (or upserted) row. */
  get returnsRows(): boolean {
    return this.#returning !== '';
  }

  build(chunk: PlannedChunk, rows: readonly PreparedRow[] = chunk.rows): Statement {
    const types = this.#arrayTypes(chunk);
    if (!types) {
      return { sql: this.#valuesSql(chunk, rows.length), params: this.#values(chunk, rows) };
    }
    const params = new PositionalParameters(this.context.adapter);
    const source = this.#arraySource(chunk, rows, types, params.bind);
    return { sql: this.#sql(chunk, source), params: params.values };
  }

  #sql(chunk: PlannedChunk, source: string): string {
    const names = [...chunk.columns, ...this.#stamps.map((s) => s.column)].map((c) =>
      this.#quote(c),
    );
    const conflict = this.#conflictClause(chunk);
    return (
      `${this.context.adapter.syntax.insertInto(this.context.table, names)} ${source}` +
      (conflict ? ` ${conflict}` : '') +
      this.#returning
    );
  }

  /**
   * The `VALUES (…), (…)` statement of `rowCount` rows of the chunk's columns. Its text depends
   * on nothing else, so it is built once per shape: a large load repeats one string (which also
   * lets the driver's statement cache find it without rehashing it).
   */
  #valuesSql(chunk: PlannedChunk, rowCount: number): string {
    const shape = `${rowCount}:${chunk.columns.map((c) => c.property).join(',')}`;
    let sql = this.#valuesSqlByShape.get(shape);
    if (sql === undefined) {
      const { adapter } = this.context;
      const stamps = this.#stamps.map((s) => s.sql);
      const width = chunk.columns.length;
      const tuples: string[] = [];
      for (let r = 0; r < rowCount; r++) {
        const cells = chunk.columns.map((_, c) => adapter.syntax.placeholder(r * width + c));
        tuples.push(`(${[...cells, ...stamps].join(', ')})`);
      }
      sql = this.#sql(chunk, `VALUES ${tuples.join(', ')}`);
      if (this.#valuesSqlByShape.size >= CACHED_SHAPES) this.#valuesSqlByShape.clear();
      this.#valuesSqlByShape.set(shape, sql);
    }
    return sql;
  }

  /** The chunk's values, row by row, in the order of the `VALUES` placeholders. */
  #values(chunk: PlannedChunk, rows: readonly PreparedRow[]): unknown[] {
    const { columns } = chunk;
    const width = columns.length;
    const properties = columns.map((c) => c.property);
    const writers = columns.map((c) => this.#writers.of(c));
    const values = new Array<unknown>(rows.length * width);
    let k = 0;
    for (const row of rows) {
      const source = row.values;
      for (let c = 0; c < width; c++) values[k++] = writers[c]!(source[properties[c]!]);
    }
    return values;
  }

  /**
   * The dialect's row source that binds one array per column (PostgreSQL's `unnest`), so the
   * statement is parsed once per shape whatever the row count.
   */
  #arraySource(
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    types: readonly string[],
    bind: Bind,
  ): string {
    const columns = chunk.columns.map((c, i) => {
      const write = this.#writers.of(c);
      const values = rows.map((row) => write(row.values[c.property]));
      return { array: bind(values), type: types[i]! };
    });
    return this.context.adapter.bulkLoad.arraySelect(
      columns,
      this.#stamps.map((s) => s.sql),
    );
  }

  /** The array element type of every column of the chunk, or `undefined` to use VALUES. */
  #arrayTypes(chunk: PlannedChunk): string[] | undefined {
    const { adapter, driver } = this.context;
    if (chunk.columns.length === 0) return undefined;
    const types: string[] = [];
    for (const column of chunk.columns) {
      const type = adapter.bulkLoad.arrayElementType(column.metadata, driver);
      if (!type) return undefined;
      types.push(type);
    }
    return types;
  }

  #conflictClause(chunk: PlannedChunk): string | undefined {
    const { mode, target } = this.policy;
    if (mode === 'error') return undefined;
    const { model, adapter } = this.context;
    const conflictColumns = target.map((c) => this.#quote(c));
    if (mode === 'skip') return adapter.syntax.upsertClause({ conflictColumns, updateColumns: [] });
    const tenant = this.context.tenant.column;
    const excluded = new Set([...target, model.primary, ...(tenant ? [tenant] : [])]);
    // A column the chunk's rows did not provide is never overwritten (it would become DEFAULT).
    const candidates = this.policy.updateColumns ?? chunk.columns;
    const updateColumns = candidates.filter((c) => chunk.columns.includes(c) && !excluded.has(c));
    return adapter.syntax.upsertClause({
      conflictColumns,
      updateColumns: updateColumns.map((c) => this.#quote(c)),
      incrementColumns: model.version ? [this.#quote(model.version)] : [],
      touchColumns: model.updateDate ? [this.#quote(model.updateDate)] : [],
      // Never take over another tenant's row, nor silently revive a soft-deleted one.
      guardEqual: tenant ? [this.#quote(tenant)] : [],
      guardNull: model.deleteDate ? [this.#quote(model.deleteDate)] : [],
    });
  }

  #returningClause(): string {
    const { model, adapter } = this.context;
    if (!adapter.capabilities.returning.insert) return '';
    const columns = new Set([
      model.primary,
      ...(this.policy.mode === 'error' ? [] : this.policy.target),
    ]);
    const parts = this.returnRows ? ['*'] : [...columns].map((c) => this.#quote(c));
    const flag = adapter.syntax.upsertInsertedFlag();
    if (this.policy.mode === 'update' && flag) {
      parts.push(`${flag} AS ${adapter.syntax.quoteIdentifier(INSERTED_FLAG)}`);
    }
    return ` RETURNING ${parts.join(', ')}`;
  }

  #quote(column: ModelColumn): string {
    return this.context.adapter.syntax.quoteIdentifier(column.databaseName);
  }
}
