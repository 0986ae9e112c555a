import type { ObjectLiteral } from 'typeorm';
import { ConflictError } from '../errors';
import type { ModelColumn } from '../model/entity-model';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { StatementResult } from '../repository/statement-executor';
import { sameTenant } from '../repository/tenant-scope';
import {
  INSERTED_FLAG,
  type BulkInsertStatement,
  type ConflictPolicy,
} from './bulk-insert-statement';
import type { OnConflict } from './bulk-options';
import type { PlannedChunk } from './bulk-planner';
import type { RowOutcome } from './row-outcome';
import { keyOfRaw, keyOfValues, rowId, rowsByKey, selectByKeys } from './row-keys';
import type { PreparedRow } from './row-preparer';

/** A row already in the table under an incoming key, and whether this call may touch it. */
interface ExistingRow {
  readonly id: EntityId;
  /** Same tenant and not soft-deleted. */
  readonly visible: boolean;
}

/**
 * What an attempt learned before its INSERT: nothing (RETURNING will tell), the generated-key
 * watermark, or the rows already under the incoming keys.
 */
export interface Before {
  readonly watermark?: number;
  readonly existing?: ReadonlyMap<string, ExistingRow>;
}

const HIDDEN_ROW =
  'conflicts with a row that is soft-deleted or belongs to another tenant; it was left unchanged';
const OTHER_KEY = 'conflicts on a unique key other than the conflict target';

/**
 * Tells what an INSERT with a conflict clause (`'skip'`, `'update'`) did to each of its rows:
 * inserted, updated, skipped, or refused because the row it met is hidden from this call
 * (another tenant's, soft-deleted) or conflicted on another unique key.
 *
 * By dialect: PostgreSQL's RETURNING flags inserted rows (`xmax = 0`) and returns only what it
 * wrote; SQLite's rows are told apart by the generated-key watermark read just before; MySQL and
 * MariaDB need the rows under the incoming keys read first (locked, in the attempt's
 * transaction), since `ON DUPLICATE KEY UPDATE` returns, or changes, rows it did not insert.
 */
export class ConflictOutcomes<T extends ObjectLiteral> {
  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly policy: ConflictPolicy,
    private readonly needIds: boolean,
    private readonly needRecords: boolean,
  ) {}

  /** Whether an attempt reads before its INSERT (and so needs a transaction of its own). */
  readsBefore(chunk: PlannedChunk, statement: BulkInsertStatement<T>, mode: OnConflict): boolean {
    return this.#toRead(chunk, statement, mode) !== undefined;
  }

  /** Reads what {@link outcomes} will need, in the attempt's transaction, before the INSERT. */
  async before(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    statement: BulkInsertStatement<T>,
    mode: OnConflict,
  ): Promise<Before> {
    const toRead = this.#toRead(chunk, statement, mode);
    if (toRead === undefined) return {};
    if (toRead.watermarkSql !== undefined) {
      const watermark = await this.#watermark(context, toRead.watermarkSql);
      if (watermark !== undefined) return { watermark };
    }
    return { existing: await this.#existing(context, rows) };
  }

  /**
   * What an attempt must read before its INSERT: nothing (`undefined`) where RETURNING tells
   * everything (PostgreSQL's inserted-flag, a plain skip); the dialect's watermark query where it
   * can stand in for the keys (`BulkLoad.generatedKeyWatermark`: an upsert whose rows leave
   * the key to the database); else (`{}`) the rows under the incoming keys (MySQL, whose
   * RETURNING, if any, also returns rows it did not insert).
   */
  #toRead(
    chunk: PlannedChunk,
    statement: BulkInsertStatement<T>,
    mode: OnConflict,
  ): { readonly watermarkSql?: string } | undefined {
    const { adapter, model, table } = this.context;
    const keys = {};
    if (mode === 'error') return undefined;
    if (!statement.returnsRows || adapter.capabilities.returnsConflictingRows) return keys;
    if (mode !== 'update' || adapter.syntax.upsertInsertedFlag() !== undefined) return undefined;
    if (chunk.columns.includes(model.primary)) return keys;
    const watermarkSql = adapter.bulkLoad.generatedKeyWatermark(
      table,
      adapter.syntax.quoteIdentifier(model.primary.databaseName),
      model.primary.metadata,
    );
    return watermarkSql === undefined ? keys : { watermarkSql };
  }

  /** Each row's outcome, in `rows` order, from what was read before and what the INSERT did. */
  async outcomes(
    context: RepositoryContext<T>,
    chunk: PlannedChunk,
    rows: readonly PreparedRow[],
    statement: BulkInsertStatement<T>,
    mode: OnConflict,
    result: StatementResult,
    before: Before,
  ): Promise<RowOutcome<T>[]> {
    const key = this.policy.target;
    const updates = this.#updatesAnything(chunk);
    const { existing, watermark } = before;
    // A key repeated within the statement is inserted once, by its first row (in VALUES order);
    // `'skip'` leaves the later rows alone, so they must not claim the first one's row and id.
    const claimed = new Set<string>();
    const repeated = (k: string) => claimed.has(k) || (claimed.add(k), false);
    if (!existing) {
      // RETURNING alone tells: returned rows were inserted (or, by the flag or a key at or below
      // the watermark, updated); a row not returned was skipped, or an update its guard refused.
      const flag = mode === 'update' && context.adapter.syntax.upsertInsertedFlag() !== undefined;
      const returned = rowsByKey(context, result.rows, key);
      return rows.map((row): RowOutcome<T> => {
        const raw = returned.get(keyOfValues(row.values, key)!);
        if (!raw) return mode === 'update' && updates ? failed(HIDDEN_ROW) : { kind: 'skipped' };
        if (repeated(keyOfValues(row.values, key)!)) return { kind: 'skipped' };
        const stored = this.#stored(context, raw);
        const inserted = flag
          ? context.adapter.binding.readBoolean(raw[INSERTED_FLAG])
          : watermark === undefined || Number(stored.id) > watermark;
        return { kind: inserted ? 'inserted' : 'updated', ...stored };
      });
    }
    // What existed before the INSERT tells inserts from updates and skips; the new rows come from
    // RETURNING where the dialect has it, else from a read-back by key.
    let found: Map<string, Record<string, unknown>> | undefined;
    if (statement.returnsRows) found = rowsByKey(context, result.rows, key);
    else if (this.needIds) {
      const read = selectByKeys(context, key, rows, [context.model.primary]);
      found = rowsByKey(context, (await context.execute(read)).rows, key);
    }
    return rows.map((row): RowOutcome<T> => {
      const k = keyOfValues(row.values, key)!;
      const prior = existing.get(k);
      if (!prior) {
        if (repeated(k)) return { kind: 'skipped' };
        if (!found) return { kind: 'inserted', id: undefined };
        const raw = found.get(k);
        // MySQL reacts to every unique key; a row that is still missing hit another one.
        if (raw) return { kind: 'inserted', ...this.#stored(context, raw) };
        return mode === 'skip' ? { kind: 'skipped' } : failed(OTHER_KEY);
      }
      if (mode === 'skip' || !updates) return { kind: 'skipped' };
      if (!prior.visible) return failed(HIDDEN_ROW);
      const raw = found?.get(k);
      return { kind: 'updated', ...(raw ? this.#stored(context, raw) : { id: prior.id }) };
    });
  }

  /** A written row's id, and with `needRecords` the row itself, from what the statement returned. */
  #stored(
    context: RepositoryContext<T>,
    raw: Readonly<Record<string, unknown>>,
  ): { id: EntityId; record?: T } {
    const id = rowId(context, raw);
    return this.needRecords ? { id, record: context.hydrate(raw) } : { id };
  }

  /** The watermark, or `undefined` when it is not a safe integer (then the keys are read). */
  async #watermark(context: RepositoryContext<T>, sql: string): Promise<number | undefined> {
    const [row] = (await context.execute({ sql, params: [] })).rows;
    const watermark = Number(row?.watermark ?? Number.NEGATIVE_INFINITY); // none: an empty table
    return watermark === Number.NEGATIVE_INFINITY || Number.isSafeInteger(watermark)
      ? watermark
      : undefined;
  }

  /** Rows already stored under the incoming keys, read before the INSERT. */
  async #existing(
    context: RepositoryContext<T>,
    rows: readonly PreparedRow[],
  ): Promise<Map<string, ExistingRow>> {
    const { model, driver } = context;
    const tenant = context.tenant.column;
    const guards = [...(tenant ? [tenant] : []), ...(model.deleteDate ? [model.deleteDate] : [])];
    const read = selectByKeys(context, this.policy.target, rows, [model.primary, ...guards]);
    // Locked, so that a key another connection inserts before our INSERT is seen here, not
    // mistaken for our own insert (InnoDB's plain reads see the transaction's first snapshot).
    const statement = { ...read, sql: read.sql + context.adapter.syntax.lockingRead };
    const found = new Map<string, ExistingRow>();
    const currentTenant = rows[0] && tenant ? rows[0].values[tenant.property] : undefined;
    for (const raw of (await context.execute(statement)).rows) {
      const hydrated = (c: ModelColumn) =>
        driver.prepareHydratedValue(raw[c.databaseName], c.metadata);
      const visible =
        (!tenant || sameTenant(hydrated(tenant), currentTenant)) &&
        (!model.deleteDate || hydrated(model.deleteDate) === null);
      found.set(keyOfRaw(raw, this.policy.target, driver)!, { id: rowId(context, raw), visible });
    }
    return found;
  }

  /** Whether an upsert of this chunk changes anything on conflict (else it is a skip). */
  #updatesAnything(chunk: PlannedChunk): boolean {
    const { model } = this.context;
    if (model.version || model.updateDate) return true;
    const excluded = new Set([...this.policy.target, model.primary]);
    const candidates = this.policy.updateColumns ?? chunk.columns;
    return candidates.some((c) => chunk.columns.includes(c) && !excluded.has(c));
  }
}

function failed(message: string): RowOutcome<never> {
  return { kind: 'failed', code: 'UNIQUE_VIOLATION', message, error: new ConflictError(message) };
}
