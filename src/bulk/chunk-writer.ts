import type { ObjectLiteral } from 'typeorm';
import {
  isRetryable,
  pause,
  retryDelay,
  retrySettings,
  type RetrySettings,
} from '../transactions/retry-policy';
import { bisect } from './bisect';
import type { ModelColumn } from '../model/entity-model';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { StatementResult } from '../repository/statement-executor';
import { BulkCopy } from './bulk-copy';
import { underSavepoint } from './savepoint';
import { BulkInsertStatement, type ConflictPolicy } from './bulk-insert-statement';
import { ConflictOutcomes } from './conflict-outcomes';
import type { OnConflict } from './bulk-options';
import type { PlannedChunk } from './bulk-planner';
import { keyString } from './key-reader';
import { keyOfValues, rowId, rowsByKey, selectByKeys } from './row-keys';
import type { PreparedRow } from './row-preparer';
import type { RowOutcome } from './row-outcome';

/**
 * Writes one planned chunk and reports an outcome for every row in it.
 *
 * A row-level failure (unique, not-null, foreign key, check, invalid data) fails the whole
 * statement; the writer then bisects the rows and retries each half, so a chunk of n rows with
 * b bad ones costs about b × log2(n) extra statements. Each attempt is atomic on its own in
 * autocommit mode; inside a transaction it runs under a savepoint so that a failure does not
 * abort the caller's transaction.
 *
 * Ids come from RETURNING where the dialect has it. Without it (MySQL) they come from
 * `insertId` when the server guarantees consecutive ids, else from a read-back by key, else
 * from inserting row by row. With `needRecords`, RETURNING carries whole rows, hydrated into each
 * outcome's `record` (where there is no RETURNING the caller reads them by id). What a conflict
 * clause did to each row is {@link ConflictOutcomes}' to tell.
 */
export class ChunkWriter<T extends ObjectLiteral> {
  readonly #statements = new Map<OnConflict, BulkInsertStatement<T>>();
  readonly #copy: BulkCopy<T>;
  readonly #conflicts: ConflictOutcomes<T>;
  #insertIdStep?: Promise<number | undefined>;
  /** The repository's `retry` settings and the library's one backoff, as for transactions. */
  readonly #retry: RetrySettings;

  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly policy: ConflictPolicy,
    private readonly needIds: boolean,
    private readonly needRecords = false,
  ) {
    this.#copy = new BulkCopy(context);
    this.#conflicts = new ConflictOutcomes(context, policy, needIds, needRecords);
    this.#retry = retrySettings(context.retry);
  }

  /** Whether a chunk is bulk-loaded (COPY) rather than inserted: plain inserts, no ids wanted. */
  #copies(chunk: PlannedChunk): boolean {
    return (
      this.context.adapter.bulkLoad.supportsCopy &&
      !this.needIds &&
      this.statementFor(chunk).mode === 'error'
    );
  }

  /** The statement a chunk will run, for a dry run. */
  plannedSql(chunk: PlannedChunk): string {
    return this.#copies(chunk)
      ? this.#copy.sql(chunk)
      : this.statementFor(chunk).statement.build(chunk).sql;
  }

  /** The statement a chunk runs as; without its conflict key a chunk cannot conflict on it. */
  statementFor(chunk: PlannedChunk): { statement: BulkInsertStatement<T>; mode: OnConflict } {
    const keyed = this.policy.target.every((c) => chunk.columns.includes(c));
    const mode = keyed ? this.policy.mode : 'error';
    let statement = this.#statements.get(mode);
    if (!statement) {
      statement = new BulkInsertStatement(this.context, { ...this.policy, mode }, this.needRecords);
      this.#statements.set(mode, statement);
    }
    return { statement, mode };
  }

  /**
   * Writes a chunk. `outcomes` gets each row's outcome as soon as it is known, so that when the
   * write stops part-way (an error that is not the rows' own) it still tells what was done.
   */
  async write(
    chunk: PlannedChunk,
    outcomes = new Map<number, RowOutcome<T>>(),
  ): Promise<Map<number, RowOutcome<T>>> {
    const { mode } = this.statementFor(chunk);
    if (mode === 'error' && (await this.#needsRowByRow(chunk))) {
      for (const row of chunk.rows) await this.#isolate(chunk, [row], outcomes);
    } else {
      await this.#isolate(chunk, chunk.rows, outcomes);
    }
    return outcomes;
  }

  /** Writes `rows` of the chunk, isolating each row the database refuses ({@link bisect}). */
  #isolate(
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    outcomes: Map<number, RowOutcome<T>>,
  ): Promise<void> {
    return bisect(
      rows,
      async (part) => {
        const results = await this.#retrying(() =>
          this.#scoped({ transactional: this.#readsAround(chunk) }, (context) =>
            this.#attempt(context, chunk, part),
          ),
        );
        results.forEach((outcome, i) => outcomes.set(part[i]!.index, outcome));
      },
      (row, error) => {
        const { code, message } = error;
        outcomes.set(row.index, { kind: 'failed', code, message, error });
      },
    );
  }

  /**
   * Runs an attempt again when the server rolled it back as a deadlock, a serialization failure
   * or a lock timeout (two windows written side by side can deadlock on InnoDB's next-key locks
   * even with distinct keys). Only outside the caller's transaction: there a deadlock has already
   * rolled back the caller's whole transaction, which only the caller can retry.
   */
  async #retrying<R>(attempt: () => Promise<R>): Promise<R> {
    const settings = this.#retry;
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        const retriable =
          isRetryable(error) && error.code !== 'CONNECTION_REFUSED' && !this.context.inTransaction;
        if (!retriable || tries > settings.maxRetries) throw error;
        await pause(retryDelay(tries, settings));
      }
    }
  }

  /** One INSERT of `rows`, with whatever reads its outcomes need; outcomes in `rows` order. */
  async #attempt(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
  ): Promise<RowOutcome<T>[]> {
    if (this.#copies(chunk)) {
      await this.#copy.load(context, chunk, rows);
      return rows.map(() => ({ kind: 'inserted', id: undefined }));
    }
    const { statement, mode } = this.statementFor(chunk);
    const before = await this.#conflicts.before(context, chunk, rows, statement, mode);
    const result = await context.execute(statement.build(chunk, rows));
    if (mode === 'error') return this.#inserted(context, chunk, rows, result);
    return this.#conflicts.outcomes(context, chunk, rows, statement, mode, result, before);
  }

  /** Whether an attempt reads as well as writes, and so needs a transaction to be consistent. */
  #readsAround(chunk: PlannedChunk): boolean {
    const { statement, mode } = this.statementFor(chunk);
    return (
      this.#conflicts.readsBefore(chunk, statement, mode) ||
      (mode !== 'error' && !statement.returnsRows)
    );
  }

  /** Outcomes of a plain INSERT that succeeded: every row inserted; ids by the best means. */
  async #inserted(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    result: StatementResult,
  ): Promise<RowOutcome<T>[]> {
    const { primary } = context.model;
    if (this.needRecords && result.rows.length === rows.length) {
      const records = this.#recordsInRowOrder(context, chunk, rows, result.rows);
      return records.map((record) => ({
        kind: 'inserted',
        id: record[primary.property] as EntityId,
        record,
      }));
    }
    const ids = await this.#insertedIds(context, chunk, rows, result, primary);
    return rows.map((_, i) => ({ kind: 'inserted', id: ids[i] }));
  }

  /**
   * The rows a plain INSERT returned, hydrated and matched to `rows`: by primary key when the rows
   * carried it, else by order (sequence and rowid values rise in VALUES order within a statement).
   */
  #recordsInRowOrder(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    raws: readonly Record<string, unknown>[],
  ): T[] {
    const { primary } = context.model;
    const records = raws.map((raw) => context.hydrate(raw));
    const idOf = (record: T) => record[primary.property] as EntityId;
    if (!chunk.columns.includes(primary)) {
      return records.sort((a, b) => compareIds(idOf(a), idOf(b)));
    }
    const byKey = new Map(records.map((r) => [keyString(context, idOf(r)), r]));
    return rows.map((row) => byKey.get(keyString(context, row.values[primary.property]))!);
  }

  async #insertedIds(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    result: StatementResult,
    primary: ModelColumn,
  ): Promise<(EntityId | undefined)[]> {
    if (chunk.columns.includes(primary))
      return rows.map((r) => r.values[primary.property] as EntityId);
    if (!this.needIds) return rows.map(() => undefined);
    if (result.rows.length === rows.length) {
      // Sequence and rowid values rise in VALUES order within one statement.
      return result.rows.map((raw) => rowId(context, raw)).sort(compareIds);
    }
    const step = await this.#step(context);
    const first = context.adapter.bulkLoad.insertedId(result.raw, rows.length);
    if (step !== undefined && first !== undefined && first !== null) {
      return rows.map((_, i) => addToId(first as EntityId, i * step));
    }
    const key = this.#uniqueKeyIn(chunk);
    if (!key) return rows.map(() => (rows.length === 1 ? (first as EntityId) : undefined));
    const { rows: raws } = await context.execute(selectByKeys(context, key, rows, [primary]));
    const read = rowsByKey(context, raws, key);
    return rows.map((r) => {
      const raw = read.get(keyOfValues(r.values, key)!);
      return raw ? rowId(context, raw) : undefined;
    });
  }

  /** Whether this dialect can only learn the ids of this chunk by inserting row by row. */
  async #needsRowByRow(chunk: PlannedChunk): Promise<boolean> {
    const { adapter, model } = this.context;
    if (
      !this.needIds ||
      adapter.capabilities.returning.insert ||
      chunk.columns.includes(model.primary)
    )
      return false;
    return (await this.#step(this.context)) === undefined && !this.#uniqueKeyIn(chunk);
  }

  #step(context: RepositoryContext<T>): Promise<number | undefined> {
    this.#insertIdStep ??= context.adapter.bulkLoad.insertIdStep(
      async (sql) => (await context.execute({ sql, params: [] })).rows,
    );
    return this.#insertIdStep;
  }

  #uniqueKeyIn(chunk: PlannedChunk): readonly ModelColumn[] | undefined {
    return this.context.model.uniqueKeys.find((k) => k.every((c) => chunk.columns.includes(c)));
  }

  /**
   * Runs an attempt atomically: under a savepoint inside the caller's transaction, in a
   * transaction of its own when it reads as well as writes, else as one autocommit statement.
   */
  async #scoped<R>(
    { transactional }: { readonly transactional: boolean },
    attempt: (context: RepositoryContext<T>) => Promise<R>,
  ): Promise<R> {
    const { context } = this;
    if (context.inTransaction) return underSavepoint(context, () => attempt(context));
    if (!transactional) return attempt(context);
    return context.run(() =>
      context.manager.transaction((manager) => attempt(context.withManager(manager))),
    );
  }
}

/** Numeric order for numbers and digit strings (bigint keys); anything else keeps its order. */
function compareIds(a: EntityId, b: EntityId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const digits = /^-?\d+$/;
  if (!digits.test(String(a)) || !digits.test(String(b))) return 0;
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function addToId(first: EntityId, offset: number): EntityId {
  return typeof first === 'number' ? first + offset : String(BigInt(first) + BigInt(offset));
}
