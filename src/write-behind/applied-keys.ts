import type { ObjectLiteral } from 'typeorm';
import type { RepositoryContext } from '../repository/repository-context';
import { PositionalParameters } from '../sql/positional-parameters';

/** Keys per statement: far below every dialect's bind-parameter limit at four per row. */
const KEYS_PER_STATEMENT = 500;

/** One applied write: its idempotency key and the id of the row it stored, if it has one. */
export interface AppliedKey {
  readonly key: string;
  readonly entityId: string | null;
}

/**
 * The statements on the applied-keys table, run on a context's manager (the drain's
 * transaction). Names are quoted by the dialect and values bound, as every statement is.
 */
export class AppliedKeys {
  constructor(readonly table: string) {}

  /** Which of `keys` (of the context's entity) are applied, with the ids they stored. */
  async find<T extends ObjectLiteral>(
    context: RepositoryContext<T>,
    keys: readonly string[],
  ): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    const q = (name: string) => context.adapter.syntax.quoteIdentifier(name);
    for (let start = 0; start < keys.length; start += KEYS_PER_STATEMENT) {
      const params = new PositionalParameters(context.adapter);
      const entity = params.bind(context.model.name);
      const list = keys.slice(start, start + KEYS_PER_STATEMENT).map(params.bind);
      const sql =
        `SELECT ${q('idempotency_key')} AS k, ${q('entity_id')} AS id FROM ${q(this.table)} ` +
        `WHERE ${q('entity')} = ${entity} AND ${q('idempotency_key')} IN (${list.join(', ')})`;
      const { rows } = await context.execute({ sql, params: params.values });
      for (const row of rows) found.set(String(row.k), row.id == null ? null : String(row.id));
    }
    return found;
  }

  /**
   * Records `applied` as applied now. A key another drainer recorded concurrently fails the
   * statement (primary key), which rolls the drain's transaction back: that drainer's write wins.
   */
  async record<T extends ObjectLiteral>(
    context: RepositoryContext<T>,
    applied: readonly AppliedKey[],
    now: number,
  ): Promise<void> {
    const q = (name: string) => context.adapter.syntax.quoteIdentifier(name);
    const columns = ['entity', 'idempotency_key', 'entity_id', 'applied_at'].map(q).join(', ');
    for (let start = 0; start < applied.length; start += KEYS_PER_STATEMENT) {
      const params = new PositionalParameters(context.adapter);
      const rows = applied.slice(start, start + KEYS_PER_STATEMENT).map((a) => {
        const values = [context.model.name, a.key, a.entityId, now].map(params.bind);
        return `(${values.join(', ')})`;
      });
      const sql = `INSERT INTO ${q(this.table)} (${columns}) VALUES ${rows.join(', ')}`;
      await context.execute({ sql, params: params.values });
    }
  }

  /** Deletes keys applied before `before` (ms since the epoch); resolves to how many. */
  async prune<T extends ObjectLiteral>(
    context: RepositoryContext<T>,
    before: number,
  ): Promise<number> {
    const q = (name: string) => context.adapter.syntax.quoteIdentifier(name);
    const params = new PositionalParameters(context.adapter);
    const sql = `DELETE FROM ${q(this.table)} WHERE ${q('applied_at')} < ${params.bind(before)}`;
    const { affected } = await context.execute({ sql, params: params.values });
    return affected;
  }
}
