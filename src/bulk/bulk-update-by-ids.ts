import type { ObjectLiteral } from 'typeorm';
import {
  ConfigurationError,
  FilterError,
  mayHaveWritten,
  NotFoundError,
  OptimisticLockError,
  RepositoryError,
  ValidationError,
} from '../errors';
import { MATCH_ALL } from '../filters/filter-node';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import { DEFAULT_BATCH_SIZE, type BulkUpdateByIdsOptions } from './bulk-options';
import { BulkResultBuilder, type BulkOperationResult, type BulkRowError } from './bulk-result';
import { batchSizeOption, emitMode } from './bulk-write-settings';
import { bisect } from './bisect';
import { bulkEvents } from './bulk-events';
import { interruptedWrite } from './interrupted-write';
import { underSavepoint } from './savepoint';
import { updateStatement, type RowChange } from './update-by-ids-statement';
import { idOfRaw, keyString, loadRecords, readVersions, type KeyVersion } from './key-reader';

/** One row's changes: its id, the fields to set, and optionally the version it expects. */
export type BulkUpdateByIdsRow<U> = Partial<U> & {
  readonly id: EntityId;
  readonly version?: number;
};

/** A row the database changed: its stored id (and the row, for per-row events). */
interface RowUpdated<T> {
  readonly index: number;
  readonly id: EntityId;
  readonly record?: T;
}

/**
 * `bulkUpdateByIds`: different changes per row, one statement per chunk of rows:
 *
 * ```sql
 * UPDATE t SET a = CASE pk WHEN ? THEN ? … ELSE a END, …, version = version + 1, updated_at = now
 * WHERE pk IN (…) [AND version = CASE pk WHEN ? THEN ? … ELSE version END] AND <tenant>
 *   AND deleted_at IS NULL
 * ```
 *
 * A column a row does not change keeps its value (`ELSE a`). A row with `version` is updated
 * only while its stored version equals it. Every row ends up updated or in `errors` by index:
 * `VALIDATION_FAILED`, `DUPLICATE_ID` (a later row for an id already in the call),
 * `OPTIMISTIC_LOCK_CONFLICT`, or `NOT_FOUND` (missing, soft-deleted or another tenant's).
 *
 * Which rows were updated comes from RETURNING where the dialect has it (a read explains the
 * misses afterwards). Elsewhere each chunk runs in a transaction that first reads the rows'
 * versions with `FOR UPDATE`, so that the read says exactly what the UPDATE will do.
 *
 * @throws ConfigurationError when a row gives `version` and the entity has no `@VersionColumn`
 */
export async function bulkUpdateByIds<T extends ObjectLiteral, U>(
  context: RepositoryContext<T>,
  rows: readonly BulkUpdateByIdsRow<U>[],
  options: BulkUpdateByIdsOptions,
): Promise<BulkOperationResult> {
  const batchSize = batchSizeOption(options.batchSize) ?? DEFAULT_BATCH_SIZE;
  const emit = emitMode(context, options.emitEvents, { bulk: 'bulkUpdated', perRow: 'updated' });
  const { model } = context;
  if (!model.version && rows.some((row) => readField(row, 'version') !== undefined)) {
    throw ConfigurationError.needsColumn(
      model.name,
      'bulkUpdateByIds with expected versions',
      'VersionColumn',
    );
  }
  const tenantId = context.tenant.current();
  const result = new BulkResultBuilder();
  result.totalRecords = rows.length;
  const changes = await prepareRows(context, rows, options.validate ?? true, tenantId, result);

  const done: ChunkOutcome<T> = { updated: [], failed: [] };
  let writing: readonly RowChange[] = [];
  try {
    for (const chunk of chunkRows(context, changes, batchSize)) {
      writing = chunk;
      await writeIsolated(context, chunk, emit === 'perRow', done);
      result.batches++;
    }
  } catch (error) {
    throw await interrupted(context, error, result, done, writing);
  }
  const { updated } = done;
  for (const error of done.failed) result.fail(error.index, error.code, error.message);
  result.successCount = updated.length;

  const ids = updated.map((row) => row.id);
  const records = updated.flatMap(({ id, record }) => (record ? [{ id, record }] : []));
  const pending = bulkEvents(
    emit,
    { bulk: 'bulkUpdated', perRow: 'updated' },
    { entity: model.name, tenantId },
    { count: updated.length, ids, records },
  );
  if (updated.length > 0) await context.afterWrite({ ids, events: pending });
  return result.build();
}

/**
 * What a call stopped part-way did: the chunks before are committed (outside a transaction), and
 * the rows of the chunk being written are in doubt when the statement's answer was lost. The
 * rows that may have changed are invalidated.
 */
async function interrupted<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  error: unknown,
  result: BulkResultBuilder,
  done: ChunkOutcome<T>,
  writing: readonly RowChange[],
): Promise<unknown> {
  const settled = new Set([...done.updated, ...done.failed].map((row) => row.index));
  const doubtful = mayHaveWritten(error) ? writing.filter((c) => !settled.has(c.index)) : [];
  const touched = [...done.updated.map((row) => row.id), ...ids(doubtful)];
  if (touched.length > 0) await context.afterWrite({ ids: touched, events: [] });
  for (const failed of done.failed) result.fail(failed.index, failed.code, failed.message);
  return interruptedWrite(`${context.model.name}: bulk update by ids`, error, {
    successCount: done.updated.length,
    storedIndices: done.updated.map((row) => row.index).sort((a, b) => a - b),
    unknownIndices: doubtful.map((row) => row.index).sort((a, b) => a - b),
    ids: done.updated.map((row) => row.id),
    errors: result.build().errors,
  });
}

/** Checks every row; a row that fails is recorded in `result` and left out. */
async function prepareRows<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  rows: readonly unknown[],
  validate: boolean,
  tenantId: string | undefined,
  result: BulkResultBuilder,
): Promise<RowChange[]> {
  const changes: RowChange[] = [];
  const firstIndex = new Map<string, number>();
  for (const [index, row] of rows.entries()) {
    try {
      const change = await prepareRow(context, row, index, validate, tenantId);
      const first = firstIndex.get(change.key);
      if (first !== undefined) {
        const message = `${context.model.name} ${String(change.id)} is also at index ${first}, which is applied`;
        result.fail(index, 'DUPLICATE_ID', message);
        continue;
      }
      firstIndex.set(change.key, index);
      changes.push(change);
    } catch (error) {
      if (!(error instanceof RepositoryError)) throw error;
      result.fail(index, error.code, error.message);
    }
  }
  return changes;
}

async function prepareRow<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  row: unknown,
  index: number,
  validate: boolean,
  tenantId: string | undefined,
): Promise<RowChange> {
  const { model, tenant } = context;
  const invalid = (field: string, constraint: string, message: string) =>
    ValidationError.field(model.name, field, constraint, message, index);
  if (!isObject(row)) throw ValidationError.notAnObject(model.name, index);
  const { id: given, version: expected, ...input } = row;
  let id: EntityId;
  try {
    id = context.canonicalId(given);
  } catch (error) {
    if (error instanceof FilterError) throw invalid('id', 'isId', error.message);
    throw error;
  }
  if (expected !== undefined && !(Number.isSafeInteger(expected) && Number(expected) >= 0)) {
    throw invalid('version', 'isVersion', 'must be a non-negative integer');
  }
  if (model.primary.property in input) {
    throw invalid(model.primary.property, 'isImmutable', 'the primary key cannot be changed');
  }
  const values = validate
    ? await context.validated('update', input, index)
    : context.checkColumns(definedValues(input), index);
  tenant.stamp(values, tenantId);
  // The WHERE already confines the update to the tenant's rows; writing it again costs parameters.
  if (tenant.column) delete values[tenant.column.property];
  const columns = Object.keys(values).length;
  return {
    index,
    id: id as EntityId,
    key: keyString(context, id),
    ...(expected === undefined ? {} : { expected: Number(expected) }),
    values,
    parameters: 1 + 2 * columns + (expected === undefined ? 0 : 2),
  };
}

/** Cuts rows into chunks of at most `batchSize` rows that fit the bind-parameter limit. */
function* chunkRows<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  changes: readonly RowChange[],
  batchSize: number,
): Generator<RowChange[]> {
  const guards = context.where(MATCH_ALL).parameters;
  const budget = context.adapter.capabilities.maxBindParameters - guards;
  let chunk: RowChange[] = [];
  let parameters = 0;
  for (const change of changes) {
    const full = chunk.length >= batchSize || parameters + change.parameters > budget;
    if (chunk.length > 0 && full) {
      yield chunk;
      chunk = [];
      parameters = 0;
    }
    chunk.push(change);
    parameters += change.parameters;
  }
  if (chunk.length > 0) yield chunk;
}

interface ChunkOutcome<T> {
  readonly updated: RowUpdated<T>[];
  readonly failed: BulkRowError[];
}

/**
 * Writes a chunk into `done`; when the database refuses it for one row's data (a unique key, a
 * constraint, invalid data), bisects it so that every other row is still written and each bad row
 * is reported by its index: about bad × 2·log2(chunk) statements, not one per row. `done` keeps
 * what was written when another error stops it part-way.
 */
async function writeIsolated<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  chunk: readonly RowChange[],
  wantRecords: boolean,
  done: ChunkOutcome<T>,
): Promise<void> {
  await bisect(
    chunk,
    async (part) => {
      const write = () => writeChunk(context, part, wantRecords);
      const outcome = await (context.inTransaction ? underSavepoint(context, write) : write());
      for (const row of outcome.updated) done.updated.push(row);
      for (const row of outcome.failed) done.failed.push(row);
    },
    (row, error) =>
      done.failed.push({ index: row.index, code: error.code, message: error.message }),
  );
}

/** Writes one chunk and tells which rows were updated and why the others were not. */
async function writeChunk<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  chunk: readonly RowChange[],
  wantRecords: boolean,
): Promise<ChunkOutcome<T>> {
  if (context.adapter.capabilities.returning.update) {
    const statement = updateStatement(context, chunk, wantRecords ? 'row' : 'key');
    const { rows } = await context.execute(statement);
    const column = context.model.primary.databaseName;
    const written = new Map(
      rows.map((raw) => [keyString(context, idOfRaw(context, raw[column])), raw]),
    );
    const updated: RowUpdated<T>[] = [];
    const missed: RowChange[] = [];
    for (const change of chunk) {
      const raw = written.get(change.key);
      if (!raw) {
        missed.push(change);
        continue;
      }
      const record = wantRecords ? context.hydrate(raw) : undefined;
      const id = idOfRaw(context, raw[column]);
      updated.push({ index: change.index, id, ...(record ? { record } : {}) });
    }
    // Misses are explained after the fact; a row another writer changes meanwhile is still
    // reported, with the reason the read finds.
    const current = missed.length > 0 ? await readVersions(context, ids(missed)) : new Map();
    return { updated, failed: missed.map((change) => explainMiss(context, change, current)) };
  }
  return context.run(() =>
    context.manager.transaction(async (manager) => {
      const tx = context.withManager(manager);
      // Locked as read, so this read says exactly which rows the UPDATE changes.
      const current = await readVersions(tx, ids(chunk), { lock: true });
      await tx.execute(updateStatement(tx, chunk, 'none'));
      const hits = chunk.filter((change) => {
        const found = current.get(change.key);
        return found !== undefined && (change.expected ?? found.version) === found.version;
      });
      const records = new Map<string, T>();
      if (wantRecords && hits.length > 0) {
        const property = context.model.primary.property;
        for (const record of await loadRecords(tx, ids(hits))) {
          records.set(keyString(context, record[property]), record);
        }
      }
      const updated = hits.map((change) => {
        const record = records.get(change.key);
        const { id } = current.get(change.key)!;
        return { index: change.index, id, ...(record ? { record } : {}) };
      });
      const hit = new Set(hits);
      const failed = chunk
        .filter((change) => !hit.has(change))
        .map((change) => explainMiss(context, change, current));
      return { updated, failed };
    }),
  );
}

/** Why a row was not updated: its version moved on, or it is not there for this caller. */
function explainMiss<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  change: RowChange,
  current: ReadonlyMap<string, KeyVersion>,
): BulkRowError {
  const found = current.get(change.key);
  const entity = context.model.name;
  const { index, id, expected } = change;
  if (found?.version !== undefined && expected !== undefined && found.version !== expected) {
    const { code, message } = OptimisticLockError.versionMismatch(
      entity,
      id,
      expected,
      found.version,
    );
    return { index, code, message };
  }
  const { code, message } = new NotFoundError(entity, id);
  return { index, code, message };
}

function ids(changes: readonly RowChange[]): EntityId[] {
  return changes.map((change) => change.id);
}

function readField(row: unknown, field: string): unknown {
  return isObject(row) ? row[field] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The properties that are set; `undefined` means "not changed", as in a DTO. */
function definedValues(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) values[key] = value;
  }
  return values;
}
