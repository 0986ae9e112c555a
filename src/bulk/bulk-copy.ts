import type { ObjectLiteral } from 'typeorm';
import type { CopySource } from '../dialects/bulk-load';
import type { ModelColumn } from '../model/entity-model';
import type { RepositoryContext } from '../repository/repository-context';
import { withQueryRunner } from '../repository/statement-executor';
import type { PlannedChunk } from './bulk-planner';
import { ColumnWriters } from './column-writers';
import type { PreparedRow } from './row-preparer';

/**
 * A chunk loaded with the dialect's bulk-load protocol (PostgreSQL COPY) instead of INSERT: used
 * for plain inserts whose ids nobody asked for. COPY has no RETURNING and no SQL expressions, so
 * the version is sent as 1 and the create/update dates are left to their column defaults (or,
 * without one, sent as the client's time).
 */
export class BulkCopy<T extends ObjectLiteral> {
  readonly #stamps: readonly { column: ModelColumn; value: () => unknown }[];
  readonly #writers: ColumnWriters<T>;

  constructor(private readonly context: RepositoryContext<T>) {
    const { model } = context;
    this.#writers = new ColumnWriters(context);
    const dates = [model.createDate, model.updateDate].filter(
      (c): c is ModelColumn => c !== undefined && c.metadata.default === undefined,
    );
    this.#stamps = [
      ...(model.version ? [{ column: model.version, value: () => 1 }] : []),
      ...dates.map((column) => ({ column, value: () => new Date() })),
    ];
  }

  /** The COPY statement of a chunk, as a dry run shows it. */
  sql(chunk: PlannedChunk): string {
    const table = this.context.table;
    return this.context.adapter.bulkLoad.copyStatement(table, this.#columns(chunk));
  }

  async load(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
  ): Promise<void> {
    const { adapter } = context;
    const stamps = this.#stamps.map((s) => this.#writers.of(s.column)(s.value()));
    const { columns } = chunk;
    const writers = columns.map((c) => this.#writers.of(c));
    const source: CopySource = {
      rowCount: rows.length,
      columnCount: columns.length + stamps.length,
      value: (row, k) => {
        const column = columns[k];
        return column
          ? writers[k]!(rows[row]!.values[column.property])
          : stamps[k - columns.length];
      },
    };
    const table = context.table;
    await context.run(() =>
      withQueryRunner(context.manager, (runner) =>
        adapter.bulkLoad.copyRows(runner, table, this.#columns(chunk), source),
      ),
    );
  }

  #columns(chunk: PlannedChunk): string[] {
    const quote = (c: ModelColumn) => this.context.adapter.syntax.quoteIdentifier(c.databaseName);
    return [...chunk.columns, ...this.#stamps.map((s) => s.column)].map(quote);
  }
}
