import type { ObjectLiteral } from 'typeorm';
import {
  ConflictError,
  isRowLevelError,
  TransientDatabaseError,
  type RepositoryError,
} from '../errors';
import type { ModelColumn } from '../repository/entity-model';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { StatementResult } from '../repository/statement-executor';
import { BulkCopy } from './bulk-copy';
import { underSavepoint } from './savepoint';
import { BulkInsertStatement, INSERTED_FLAG, type ConflictPolicy } from './bulk-insert-statement';
import type { OnConflict } from './bulk-options';
import type { PlannedChunk } from './bulk-planner';
import { idOfRaw, keyString } from './key-reader';
import { keyOfRaw, keyOfValues, selectByKeys } from './row-keys';
import type { PreparedRow } from './row-preparer';

/**
 * What happened to one input row. `record` is the stored row, present when the writer was asked
 * for records and the dialect returned them (RETURNING); `error` is the typed error of a failed
 * row, as a single-row `create` would have thrown it.
 */
export type RowOutcome<T = ObjectLiteral> =
  | { readonly kind: 'inserted'; readonly id: EntityId | undefined; readonly record?: T }
  | { readonly kind: 'updated'; readonly id: EntityId | undefined; readonly record?: T }
  | { readonly kind: 'skipped' }
  | {
      readonly kind: 'failed';
      readonly code: string;
      readonly message: string;
      readonly error?: RepositoryError;
    };

/** A row already in the table under an incoming key, and whether this call may touch it. */
interface ExistingRow {
  readonly id: EntityId;
  /** Same tenant and not soft-deleted. */
  readonly visible: boolean;
}

/** Attempts of one statement that the server rolled back as a deadlock or lock timeout. */
const TRANSIENT_RETRIES = 5;

const HIDDEN_ROW =
  'conflicts with a row that is soft-deleted or belongs to another tenant; it was left unchanged';
const OTHER_KEY = 'conflicts on a unique key other than the conflict target';

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
 * outcome's `record` (where there is no RETURNING the caller reads them by id).
 */
export class ChunkWriter<T extends ObjectLiteral> {
  readonly #statements = new Map<OnConflict, BulkInsertStatement<T>>();
  readonly #copy: BulkCopy<T>;
  #insertIdStep?: Promise<number | undefined>;

  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly policy: ConflictPolicy,
    private readonly needIds: boolean,
    private readonly needRecords = false,
  ) {
    this.#copy = new BulkCopy(context);
  }

  /** Whether a chunk is bulk-loaded (COPY) rather than inserted: plain inserts, no ids wanted. */
  #copies(chunk: PlannedChunk): boolean {
    return (
      this.context.adapter.supportsCopy &&
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

  async write(chunk: PlannedChunk): Promise<Map<number, RowOutcome<T>>> {
    const outcomes = new Map<number, RowOutcome<T>>();
    const { mode } = this.statementFor(chunk);
    if (mode === 'error' && (await this.#needsRowByRow(chunk))) {
      for (const row of chunk.rows) await this.#isolate(chunk, [row], outcomes);
    } else {
      await this.#isolate(chunk, chunk.rows, outcomes);
    }
    return outcomes;
  }

  async #isolate(
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    outcomes: Map<number, RowOutcome<T>>,
  ) {
    try {
      const results = await this.#retrying(() =>
        this.#scoped(this.#readsAround(chunk), (context) => this.#attempt(context, chunk, rows)),
      );
      results.forEach((outcome, i) => outcomes.set(rows[i]!.index, outcome));
    } catch (error) {
      if (!isRowLevelError(error)) throw error;
      if (rows.length === 1) {
        const { code, message } = error;
        outcomes.set(rows[0]!.index, { kind: 'failed', code, message, error });
        return;
      }
      const middle = rows.length >> 1;
      await this.#isolate(chunk, rows.slice(0, middle), outcomes);
      await this.#isolate(chunk, rows.slice(middle), outcomes);
    }
  }

  /**
   * Runs an attempt again when the server rolled it back as a deadlock, a serialization failure
   * or a lock timeout (two windows written side by side can deadlock on InnoDB's next-key locks
   * even with distinct keys). Only outside the caller's transaction: there a deadlock has already
   * rolled back the caller's whole transaction, which only the caller can retry.
   */
  async #retrying<R>(attempt: () => Promise<R>): Promise<R> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        const retriable =
          error instanceof TransientDatabaseError &&
          error.outcome === 'not-applied' &&
          error.code !== 'CONNECTION_REFUSED' &&
          !this.context.inTransaction;
        if (!retriable || tries >= TRANSIENT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, tries * 5 + Math.random() * 10));
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
    const { adapter } = context;
    const key = this.policy.target;
    const flag = mode === 'update' && adapter.upsertInsertedFlag() !== undefined;
    const watermark = this.#watermarkQuery(chunk)
      ? await this.#watermark(context, chunk)
      : undefined;
    const existing =
      watermark === undefined && this.#readsExisting(chunk)
        ? await this.#existing(context, rows)
        : undefined;
    const result = await context.execute(statement.build(chunk, rows));
    if (mode === 'error') return this.#inserted(context, chunk, rows, result);

    const updates = this.#updatesAnything(chunk);
    if (!existing) {
      // RETURNING alone tells: returned rows were inserted (or, by the flag or a key above the
      // watermark, updated); a row not returned was skipped, or is an update its guard refused.
      const returned = this.#byKey(result.rows, key, context);
      return rows.map((row): RowOutcome<T> => {
        const raw = returned.get(keyOfValues(row.values, key)!);
        if (!raw) return mode === 'update' && updates ? failed(HIDDEN_ROW) : { kind: 'skipped' };
        const stored = this.#stored(context, raw);
        const inserted = flag
          ? truthy(raw[INSERTED_FLAG])
          : watermark === undefined || Number(stored.id) > watermark;
        return { kind: inserted ? 'inserted' : 'updated', ...stored };
      });
    }
    // What existed before the INSERT tells inserts from updates and skips; the new rows come from
    // RETURNING where the dialect has it, else from a read-back by key.
    const found = statement.returnsRows
      ? this.#byKey(result.rows, key, context)
      : this.needIds
        ? this.#byKey(
            (await context.execute(selectByKeys(context, key, rows, [context.model.primary]))).rows,
            key,
            context,
          )
        : undefined;
    return rows.map((row): RowOutcome<T> => {
      const k = keyOfValues(row.values, key)!;
      const before = existing.get(k);
      if (!before) {
        if (!found) return { kind: 'inserted', id: undefined };
        const raw = found.get(k);
        // MySQL reacts to every unique key; a row that is still missing hit another one.
        if (raw) return { kind: 'inserted', ...this.#stored(context, raw) };
        return mode === 'skip' ? { kind: 'skipped' } : failed(OTHER_KEY);
      }
      if (mode === 'skip' || !updates) return { kind: 'skipped' };
      if (!before.visible) return failed(HIDDEN_ROW);
      const raw = found?.get(k);
      return { kind: 'updated', ...(raw ? this.#stored(context, raw) : { id: before.id }) };
    });
  }

  /** A written row's id, and with `needRecords` the row itself, from what the statement returned. */
  #stored(
    context: RepositoryContext<T>,
    raw: Readonly<Record<string, unknown>>,
  ): { id: EntityId; record?: T } {
    const id = this.#idOf(context, raw);
    return this.needRecords ? { id, record: context.hydrate(raw) } : { id };
  }

  /**
   * The dialect's watermark query ({@link DialectAdapter.generatedKeyWatermark}) where it can
   * stand in for reading the incoming keys: an upsert with no inserted-flag whose rows leave the
   * key to the database and whose conflicting rows are not returned unchanged.
   */
  #watermarkQuery(chunk: PlannedChunk): string | undefined {
    const { adapter, model, parts } = this.context;
    const { statement, mode } = this.statementFor(chunk);
    if (mode !== 'update' || !statement.returnsRows || adapter.returnsConflictingRows) {
      return undefined;
    }
    if (adapter.upsertInsertedFlag() !== undefined || chunk.columns.includes(model.primary)) {
      return undefined;
    }
    return adapter.generatedKeyWatermark(parts.statements.table, model.primary.metadata);
  }

  /** The watermark, or `undefined` when it is not a safe integer (then the keys are read). */
  async #watermark(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
  ): Promise<number | undefined> {
    const sql = this.#watermarkQuery(chunk)!;
    const [row] = (await context.execute({ sql, params: [] })).rows;
    const value = row?.watermark ?? Number.NEGATIVE_INFINITY; // an empty table
    const watermark = Number(value);
    return watermark === Number.NEGATIVE_INFINITY || Number.isSafeInteger(watermark)
      ? watermark
      : undefined;
  }

  /** Whether an attempt must read the rows under its keys before inserting. */
  #readsExisting(chunk: PlannedChunk): boolean {
    const { statement, mode } = this.statementFor(chunk);
    const { adapter } = this.context;
    if (mode === 'error') return false;
    if (!statement.returnsRows || adapter.returnsConflictingRows) return true;
    return mode === 'update' && adapter.upsertInsertedFlag() === undefined;
  }

  /** Whether an attempt reads as well as writes, and so needs a transaction to be consistent. */
  #readsAround(chunk: PlannedChunk): boolean {
    const { statement, mode } = this.statementFor(chunk);
    return this.#readsExisting(chunk) || (mode !== 'error' && !statement.returnsRows);
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
      return result.rows.map((raw) => this.#idOf(context, raw)).sort(compareIds);
    }
    const step = await this.#step(context);
    const first = context.adapter.insertedId(result.raw);
    if (step !== undefined && first !== undefined && first !== null) {
      return rows.map((_, i) => addToId(first as EntityId, i * step));
    }
    const key = this.#uniqueKeyIn(chunk);
    if (!key) return rows.map(() => (rows.length === 1 ? (first as EntityId) : undefined));
    const read = this.#byKey(
      (await context.execute(selectByKeys(context, key, rows, [primary]))).rows,
      key,
      context,
    );
    return rows.map((r) => {
      const raw = read.get(keyOfValues(r.values, key)!);
      return raw ? this.#idOf(context, raw) : undefined;
    });
  }

  /** Whether this dialect can only learn the ids of this chunk by inserting row by row. */
  async #needsRowByRow(chunk: PlannedChunk): Promise<boolean> {
    const { adapter, model } = this.context;
    if (!this.needIds || adapter.returning.insert || chunk.columns.includes(model.primary))
      return false;
    return (await this.#step(this.context)) === undefined && !this.#uniqueKeyIn(chunk);
  }

  #step(context: RepositoryContext<T>): Promise<number | undefined> {
    this.#insertIdStep ??= context.adapter.insertIdStep(
      async (sql) => (await context.execute({ sql, params: [] })).rows,
    );
    return this.#insertIdStep;
  }

  #uniqueKeyIn(chunk: PlannedChunk): readonly ModelColumn[] | undefined {
    return this.context.model.uniqueKeys.find((k) => k.every((c) => chunk.columns.includes(c)));
  }

  /** Rows already stored under the incoming keys, read before the INSERT. */
  async #existing(
    context: RepositoryContext<T>,
    rows: readonly PreparedRow[],
  ): Promise<Map<string, ExistingRow>> {
    const { model, parts, driver } = context;
    const tenant = parts.tenant.column;
    const guards = [...(tenant ? [tenant] : []), ...(model.deleteDate ? [model.deleteDate] : [])];
    const read = selectByKeys(context, this.policy.target, rows, [model.primary, ...guards]);
    // Locked, so that a key another connection inserts before our INSERT is seen here, not
    // mistaken for our own insert (InnoDB's plain reads see the transaction's first snapshot).
    const statement = { ...read, sql: read.sql + context.adapter.lockingRead };
    const found = new Map<string, ExistingRow>();
    const currentTenant = rows[0] && tenant ? rows[0].values[tenant.property] : undefined;
    for (const raw of (await context.execute(statement)).rows) {
      const hydrated = (c: ModelColumn) =>
        driver.prepareHydratedValue(raw[c.databaseName], c.metadata);
      const visible =
        (!tenant || hydrated(tenant) === currentTenant) &&
        (!model.deleteDate || hydrated(model.deleteDate) === null);
      found.set(keyOfRaw(raw, this.policy.target, driver)!, {
        id: this.#idOf(context, raw),
        visible,
      });
    }
    return found;
  }

  #byKey(
    raws: readonly Record<string, unknown>[],
    key: readonly ModelColumn[],
    context: RepositoryContext<T>,
  ) {
    const map = new Map<string, Record<string, unknown>>();
    for (const raw of raws) {
      const k = keyOfRaw(raw, key, context.driver);
      if (k !== undefined) map.set(k, raw);
    }
    return map;
  }

  #idOf(context: RepositoryContext<T>, raw: Readonly<Record<string, unknown>>): EntityId {
    return idOfRaw(context, raw[context.model.primary.databaseName]);
  }

  /** Whether an upsert of this chunk changes anything on conflict (else it is a skip). */
  #updatesAnything(chunk: PlannedChunk): boolean {
    const { model } = this.context;
    if (model.version || model.updateDate) return true;
    const excluded = new Set([...this.policy.target, model.primary]);
    const candidates = this.policy.updateColumns ?? chunk.columns;
    return candidates.some((c) => chunk.columns.includes(c) && !excluded.has(c));
  }

  /**
   * Runs an attempt atomically: under a savepoint inside the caller's transaction, in a
   * transaction of its own when it reads as well as writes, else as one autocommit statement.
   */
  async #scoped<R>(
    transactional: boolean,
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

function failed(message: string): RowOutcome<never> {
  return { kind: 'failed', code: 'UNIQUE_VIOLATION', message, error: new ConflictError(message) };
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
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
