import type { ObjectLiteral } from 'typeorm';
import type { ModelColumn } from '../model/entity-model';
import type { RepositoryContext } from '../repository/repository-context';

/** A column's conversion of a value into what the driver binds. */
export type ColumnWriter = (value: unknown) => unknown;

/**
 * Each column's value conversion for bulk writes (`ValueBinding.persistentValue`), built once
 * per column rather than looked up per cell: a bulk load converts one value per row and column.
 */
export class ColumnWriters<T extends ObjectLiteral> {
  readonly #writers = new Map<ModelColumn, ColumnWriter>();

  constructor(private readonly context: RepositoryContext<T>) {}

  of(column: ModelColumn): ColumnWriter {
    let writer = this.#writers.get(column);
    if (!writer) {
      writer = this.context.adapter.binding.persistentValue(column.metadata, this.context.driver);
      this.#writers.set(column, writer);
    }
    return writer;
  }
}
