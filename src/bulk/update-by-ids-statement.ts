import type { ObjectLiteral } from 'typeorm';
import { MATCH_ALL } from '../filters/filter-node';
import type { ModelColumn } from '../model/entity-model';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import { SqlFragment } from '../sql/sql-fragment';
import { BoundExpression, type Returning, type Statement } from '../sql/statement';

/** An input row that passed its checks. */
export interface RowChange {
  readonly index: number;
  readonly id: EntityId;
  /** {@link keyString} of the id. */
  readonly key: string;
  readonly expected?: number;
  /** Validated changes by property name. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Bind parameters the row adds to its statement. */
  readonly parameters: number;
}

/** The UPDATE of one chunk of `bulkUpdateByIds`. */
export function updateStatement<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  chunk: readonly RowChange[],
  returning: Returning,
): Statement {
  const { model, adapter, driver } = context;
  const quote = (column: ModelColumn) => adapter.syntax.quoteIdentifier(column.databaseName);
  const pk = quote(model.primary);
  const bindId = (bind: (value: unknown) => string, change: RowChange) =>
    bind(driver.preparePersistentValue(change.id, model.primary.metadata));
  /** `CASE pk WHEN id THEN value … ELSE column END` over the rows that give a value. */
  const caseOf = (
    column: ModelColumn,
    rows: readonly RowChange[],
    valueOf: (change: RowChange) => unknown,
  ) =>
    new BoundExpression((bind) => {
      const whens = rows.map((change) => {
        const value = driver.preparePersistentValue(valueOf(change), column.metadata);
        return `WHEN ${bindId(bind, change)} THEN ${bind(value)}`;
      });
      return `CASE ${pk} ${whens.join(' ')} ELSE ${quote(column)} END`;
    });

  const properties = new Set(chunk.flatMap((change) => Object.keys(change.values)));
  const values: Record<string, BoundExpression> = {};
  for (const property of properties) {
    const rows = chunk.filter((change) => property in change.values);
    values[property] = caseOf(model.column(property)!, rows, (change) => change.values[property]);
  }
  const versioned = chunk.filter((change) => change.expected !== undefined);
  const where = SqlFragment.of((bind) => {
    const parts = [`${pk} IN (${chunk.map((change) => bindId(bind, change)).join(', ')})`];
    if (model.version && versioned.length > 0) {
      // Rows without an expected version compare the version with itself.
      const expected = caseOf(model.version, versioned, (change) => change.expected);
      parts.push(`${quote(model.version)} = ${expected.write(bind)}`);
    }
    parts.push(context.where(MATCH_ALL).writeInto(bind));
    return parts.join(' AND ');
  });
  return context.statements.update(values, where, returning);
}
