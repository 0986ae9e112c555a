import { randomUUID } from 'node:crypto';
import type { Driver, ObjectLiteral } from 'typeorm';
import type { DialectAdapter } from '../dialects/dialect-adapter';
import type { ReturningSupport } from '../dialects/dialect-capabilities';
import type { Bind } from '../dialects/sql-syntax';
import type { EntityModel, ModelColumn } from '../model/entity-model';
import { PositionalParameters } from './positional-parameters';
import { SqlFragment } from './sql-fragment';
import { BoundExpression, SqlExpression, type Returning, type Statement } from './statement';

/**
 * Builds the INSERT, UPDATE and DELETE statements of one entity with positional parameters.
 * Values are keyed by property name and converted by the driver for their column; the
 * repository-maintained columns (version, create/update dates) are stamped here, in one place.
 * The quoted table and column list are written once here, at construction; the reads use them too.
 */
export class WriteStatements<T extends ObjectLiteral> {
  /** The quoted table name, schema-qualified where the entity names a schema. */
  readonly table: string;
  /** `SELECT <every column> FROM <table>`, the head of every read (read-statements.ts). */
  readonly selectAll: string;

  constructor(
    private readonly model: EntityModel<T>,
    private readonly adapter: DialectAdapter,
    private readonly driver: Driver,
  ) {
    this.table = model.metadata.tablePath
      .split('.')
      .map((part) => adapter.syntax.quoteIdentifier(part))
      .join('.');
    const columns = model.columns.map((c) => adapter.syntax.quoteIdentifier(c.databaseName));
    this.selectAll = `SELECT ${columns.join(', ')} FROM ${this.table}`;
  }

  /** `INSERT … [RETURNING *]` of one row. */
  insert(values: Readonly<Record<string, unknown>>): Statement {
    const params = new PositionalParameters(this.adapter);
    const columns: string[] = [];
    const exprs: string[] = [];
    const put = (column: ModelColumn, expr: string) => {
      columns.push(this.#quote(column));
      exprs.push(expr);
    };
    for (const [property, value] of Object.entries(values)) {
      const column = this.model.column(property)!;
      put(column, this.#value(column, value, params.bind));
    }
    for (const column of this.model.columns) {
      if (column.property in values) continue;
      const stamp = this.#insertStamp(column);
      if (stamp !== undefined) put(column, this.#value(column, stamp, params.bind));
    }
    const body =
      columns.length > 0
        ? `(${columns.join(', ')}) VALUES (${exprs.join(', ')})`
        : this.adapter.syntax.defaultValuesClause();
    const sql = `INSERT INTO ${this.table} ${body}${this.#returning('insert', 'row')}`;
    return { sql, params: params.values };
  }

  /** `UPDATE … SET …, version = version + 1, updated_at = now WHERE … [RETURNING * | pk]`. */
  update(
    values: Readonly<Record<string, unknown>>,
    where: SqlFragment,
    returning: Returning = 'row',
  ): Statement {
    return this.updateSet(this.setClause(values), where, returning);
  }

  /**
   * The SET list of an UPDATE of `values`, with the version and update-date bumps the values do
   * not set themselves: what {@link update} writes, and what a caller counts parameters of.
   */
  setClause(values: Readonly<Record<string, unknown>>): SqlFragment {
    return SqlFragment.of((bind) => {
      const sets = Object.entries(values).map(([property, value]) => {
        const column = this.model.column(property)!;
        return `${this.#quote(column)} = ${this.#value(column, value, bind)}`;
      });
      const { version, updateDate } = this.model;
      if (version && !(version.property in values)) {
        sets.push(`${this.#quote(version)} = ${this.#quote(version)} + 1`);
      }
      if (updateDate && !(updateDate.property in values)) {
        sets.push(`${this.#quote(updateDate)} = ${this.adapter.syntax.currentTimestamp()}`);
      }
      return sets.join(', ');
    });
  }

  /** `UPDATE … SET <set> WHERE <where> [RETURNING * | pk]`. */
  updateSet(set: SqlFragment, where: SqlFragment, returning: Returning = 'row'): Statement {
    const params = new PositionalParameters(this.adapter);
    const sql = `UPDATE ${this.table} SET ${set.writeInto(params.bind)} WHERE ${where.writeInto(params.bind)}${this.#returning('update', returning)}`;
    return { sql, params: params.values };
  }

  /** `DELETE FROM … WHERE … [RETURNING pk]`. */
  delete(where: SqlFragment, returning: Returning = 'none'): Statement {
    const params = new PositionalParameters(this.adapter);
    const sql = `DELETE FROM ${this.table} WHERE ${where.writeInto(params.bind)}${this.#returning('delete', returning)}`;
    return { sql, params: params.values };
  }

  /** The RETURNING clause, empty where the dialect has none for this kind of statement. */
  #returning(kind: keyof ReturningSupport, returning: Returning): string {
    if (!this.adapter.capabilities.returning[kind] || returning === 'none') return '';
    return returning === 'row' ? ' RETURNING *' : ` RETURNING ${this.#quote(this.model.primary)}`;
  }

  /** What an insert writes into a column the input left out, if anything. */
  #insertStamp(column: ModelColumn): unknown {
    if (column === this.model.version) return 1;
    if (column === this.model.createDate || column === this.model.updateDate) {
      return new SqlExpression(this.adapter.syntax.currentTimestamp());
    }
    // TypeORM generates UUIDs client-side where the database cannot.
    const generated = column.metadata.generationStrategy === 'uuid';
    if (generated && !this.driver.isUUIDGenerationSupported()) return randomUUID();
    return undefined;
  }

  #value(column: ModelColumn, value: unknown, bind: Bind): string {
    if (value instanceof SqlExpression) return value.sql;
    if (value instanceof BoundExpression) return value.write(bind);
    return bind(this.driver.preparePersistentValue(value, column.metadata));
  }

  #quote(column: ModelColumn): string {
    return this.adapter.syntax.quoteIdentifier(column.databaseName);
  }
}
