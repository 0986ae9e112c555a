import type { ObjectLiteral } from 'typeorm';
import { BulkOperationError, mayHaveWritten } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { BulkCreateOptions } from './bulk-options';
import { planChunks } from './bulk-planner';
import { reportWrites, type Touched } from './bulk-create-report';
import { resolveSettings, type InternalBulkCreate, type Settings } from './bulk-create-settings';
import { intersects, lastPerKey, windows, type WindowKeys } from './bulk-windows';
import { BulkResultBuilder, type BulkOperationResult } from './bulk-result';
import { ChunkWriter } from './chunk-writer';
import type { RowOutcome } from './row-outcome';
import { IndexRuns } from './index-runs';
import { interruptedWrite } from './interrupted-write';
import { keyOfValues } from './row-keys';
import { isPrepared, RowPreparer, type PreparedRow, type RejectedRow } from './row-preparer';

export type { BulkCreateOptions } from './bulk-options';
export type { InternalBulkCreate, RowReporter } from './bulk-create-settings';

/** Rows validated between two yields to the event loop. */
const PREPARE_SLICE = 100;

/**
 * `bulkCreate` / `bulkUpsert`: validates, plans and writes rows batch by batch. Every input row
 * ends up stored (inserted, updated or, with `onConflict: 'skip'`, deliberately skipped) or
 * listed in `errors` with its index. Input is consumed one batch at a time, so an async
 * iterable of any length runs in flat memory.
 */
export async function bulkCreate<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  rows: Iterable<unknown> | AsyncIterable<unknown>,
  options: BulkCreateOptions<T>,
  internal?: InternalBulkCreate<T>,
): Promise<BulkOperationResult> {
  const settings = resolveSettings(context, options, internal);
  const touched: Touched = { inserted: [], updated: [], insertedCount: 0, updatedCount: 0 };
  try {
    const result = await writeCall(context, rows, settings, touched);
    if (!settings.dryRun) await reportWrites(context, settings, touched);
    return result;
  } catch (error) {
    // Rows may be stored although the call failed: the cache must not keep serving the old ones.
    if (!settings.dryRun && mayHaveWritten(error)) {
      await reportWrites(context, settings, touched, error);
    }
    throw error;
  }
}

/** The call's writes: in a transaction of its own with `atomic`, else window by window. */
function writeCall<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  rows: Iterable<unknown> | AsyncIterable<unknown>,
  settings: Settings<T>,
  touched: Touched,
): Promise<BulkOperationResult> {
  return settings.atomic && !settings.dryRun
    ? context.run(() =>
        context.manager.transaction(async (manager) => {
          const outcome = await writeAll(context.withManager(manager), rows, settings, touched);
          if (!outcome.success) {
            // Throwing rolls the transaction back: nothing of this call is stored.
            throw BulkOperationError.atomicFailed(context.model.name, outcome.errors);
          }
          return outcome;
        }),
      )
    : writeAll(context, rows, settings, touched);
}

async function writeAll<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  rows: Iterable<unknown> | AsyncIterable<unknown>,
  settings: Settings<T>,
  touched: Touched,
): Promise<BulkOperationResult> {
  // Inside a transaction there is one connection; outside, windows may write side by side.
  const total = Array.isArray(rows) ? rows.length : undefined;
  // One window (a small array, e.g. a coalesced flush) has nothing to write side by side with.
  const oneWindow = total !== undefined && total <= settings.batchSize;
  const concurrency =
    context.inTransaction || settings.atomic || oneWindow
      ? 1
      : context.adapter.capabilities.writeConcurrency;
  const run = new BulkCreateRun(context, settings, touched, total, concurrency);
  const input = windows(rows, settings.batchSize)[Symbol.asyncIterator]();
  const writing: { done: Promise<WrittenWindow>; keys?: WindowKeys }[] = [];
  /**
   * Takes the oldest window's outcome, so ids are kept, and progress reported, in input order
   * even when a later window finished first; false to stop.
   */
  const settle = async () => {
    const written = await writing.shift()!.done;
    for (const id of written.ids) touched.inserted.push(id);
    run.reportProgress(written);
    return written.ok;
  };
  /** A window sharing a unique-key value with one in flight waits for it: input order decides. */
  const collides = (keys?: WindowKeys) =>
    keys !== undefined && writing.some((w) => w.keys !== undefined && intersects(keys, w.keys));
  let preparing: Promise<PreparedWindow> | undefined;
  /** Work started before it is awaited must never reject unheard, whatever fails first. */
  const started = <P extends Promise<unknown>>(promise: P): P => {
    promise.catch(() => undefined);
    return promise;
  };
  try {
    let next = await input.next();
    preparing = next.done ? undefined : started(run.prepare(next.value));
    let ok = true;
    // The next window is validated while the database writes the current ones.
    while (preparing && ok) {
      const prepared = await preparing;
      while (ok && writing.length > 0 && collides(prepared.keys)) ok = await settle();
      if (!ok) break;
      next = await input.next();
      writing.push({ done: started(run.write(prepared)), keys: prepared.keys });
      preparing = next.done ? undefined : started(run.prepare(next.value));
      if (writing.length >= concurrency) ok = await settle();
    }
    while (writing.length > 0) ok = (await settle()) && ok;
  } catch (error) {
    // The windows still in flight finish first, so that what the call did is known when it says.
    const rest = await Promise.allSettled(writing.map((w) => w.done));
    for (const window of rest) {
      if (window.status === 'fulfilled')
        for (const id of window.value.ids) touched.inserted.push(id);
    }
    await Promise.allSettled([preparing, input.return?.()]);
    throw run.interrupted(error, touched.inserted);
  }
  // One array serves both createdIds and the bulkCreated event: a million ids are kept once.
  if (settings.returnIds) run.result.createdIds = touched.inserted;
  return run.result.build();
}

/**
 * A written window: whether to go on, the ids it created in input order and, for progress, the
 * input rows each of its statements accounted for plus those settled without one.
 */
interface WrittenWindow {
  readonly ok: boolean;
  readonly ids: readonly EntityId[];
  readonly steps: readonly number[];
  readonly unwritten?: number;
}

/** One window of input after validation. */
interface PreparedWindow {
  readonly rows: readonly PreparedRow[];
  readonly invalid: readonly RejectedRow[];
  /** Every unique-key value the rows carry, when windows may be written side by side. */
  readonly keys?: WindowKeys;
}

/** The state of one bulkCreate call as its windows are prepared and written. */
class BulkCreateRun<T extends ObjectLiteral> {
  readonly result: BulkResultBuilder;
  readonly #preparer: RowPreparer<T>;
  readonly #writer: ChunkWriter<T>;
  #received = 0;
  readonly #tracksKeys: boolean;
  /** Rows known stored, and rows whose statement was cut off unanswered, by input index. */
  readonly #stored = new IndexRuns();
  readonly #unknown: number[] = [];
  /** Ids created by windows that did not finish, for an interrupted call's report. */
  readonly #unfinishedIds: { index: number; id: EntityId }[] = [];
  #processed = 0;
  #reportedBatches = 0;

  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly settings: Settings<T>,
    private readonly touched: Touched,
    private readonly total: number | undefined,
    concurrency: number,
  ) {
    this.result = new BulkResultBuilder(settings.dryRun);
    this.#tracksKeys = concurrency > 1;
    this.#preparer = new RowPreparer(context, settings.check, settings.tenant);
    const needRecords = settings.report !== undefined;
    this.#writer = new ChunkWriter(context, settings.policy, settings.needIds, needRecords);
    if (settings.policy.mode !== 'error') {
      this.result.insertedCount = 0;
      this.result.updatedCount = 0;
      this.result.skippedCount = 0;
    }
  }

  /**
   * Validates a window in slices that yield to the event loop, so that the statements of the
   * window being written keep going out while this one is checked.
   */
  async prepare(window: readonly unknown[]): Promise<PreparedWindow> {
    const first = this.#received;
    this.#received += window.length;
    const rows: PreparedRow[] = [];
    const invalid: RejectedRow[] = [];
    for (let start = 0; start < window.length; start += PREPARE_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = window.slice(start, start + PREPARE_SLICE);
      const settled = slice.map((input, k) => this.#preparer.prepare(input, first + start + k));
      const prepared = settled.some((row) => row instanceof Promise)
        ? await Promise.all(settled)
        : (settled as (PreparedRow | RejectedRow)[]);
      for (const row of prepared) {
        if (isPrepared(row)) rows.push(row);
        else invalid.push(row);
      }
    }
    return { rows, invalid, ...(this.#tracksKeys ? { keys: this.#keys(rows) } : {}) };
  }

  /** The unique-key values of `rows`, one set per unique key, to keep colliding windows in order. */
  #keys(rows: readonly PreparedRow[]): WindowKeys {
    return this.context.model.uniqueKeys.map((key) => {
      const values = new Set<string>();
      for (const row of rows) {
        const value = keyOfValues(row.values, key);
        if (value !== undefined) values.add(value);
      }
      return values;
    });
  }

  /** Writes a prepared window; `ok` is false when an atomic call must stop. */
  async write(window: PreparedWindow): Promise<WrittenWindow> {
    const { result, settings } = this;
    result.totalRecords += window.rows.length + window.invalid.length;
    for (const row of window.invalid) {
      result.fail(row.index, row.code, row.message);
      const { code, message, error } = row;
      settings.report?.(row.index, { kind: 'failed', code, message, error });
    }
    // An upsert writes the last row per key; should that row fail, the rows it superseded get
    // their turn in a further round (the last of them again), so each is stored or reported.
    let pending: readonly PreparedRow[] = window.rows;
    const superseded: number[] = [];
    // Rows settled without a statement count towards the window's first one.
    let unwritten = window.invalid.length;
    const steps: number[] = [];
    const created: { index: number; id: EntityId }[] = [];
    while (pending.length > 0) {
      const round =
        settings.policy.mode === 'update'
          ? lastPerKey(pending, settings.policy.target)
          : { rows: pending, waiting: [], winners: new Map<string, number>() };
      const failed = new Set<number>();
      for (const chunk of planChunks(
        round.rows,
        this.context.model,
        this.context.adapter,
        settings.batchSize,
      )) {
        if (settings.dryRun) {
          result.batches++;
          result.statements.push(this.#writer.plannedSql(chunk));
          continue;
        }
        const outcomes = new Map<number, RowOutcome<T>>();
        try {
          await this.#writer.write(chunk, outcomes);
        } catch (error) {
          this.#stopped(chunk.rows, outcomes, created, error);
          throw error;
        }
        result.batches++;
        steps.push(unwritten + chunk.rows.length);
        unwritten = 0;
        for (const [index, outcome] of outcomes) if (outcome.kind === 'failed') failed.add(index);
        // All or nothing: the first failing batch decides, and the caller rolls back.
        if (this.#record(chunk.rows, outcomes, created) && settings.atomic) {
          return { ok: false, ids: [], steps };
        }
      }
      const next: PreparedRow[] = [];
      for (const row of round.waiting) {
        const winner = round.winners.get(keyOfValues(row.values, settings.policy.target)!)!;
        if (failed.has(winner)) next.push(row);
        else superseded.push(row.index);
      }
      pending = next;
    }
    unwritten += superseded.length;
    // A superseded upsert row is applied once the row that replaced it is stored.
    result.successCount += superseded.length;
    for (const index of superseded) this.#stored.add(index);
    created.sort((a, b) => a.index - b.index);
    return { ok: true, ids: created.map((c) => c.id), steps, unwritten };
  }

  /** Keeps what a chunk stopped part-way did: its settled rows, and the rows left in doubt. */
  #stopped(
    rows: readonly PreparedRow[],
    outcomes: ReadonlyMap<number, RowOutcome<T>>,
    created: { index: number; id: EntityId }[],
    error: unknown,
  ): void {
    this.#record(
      rows.filter((row) => outcomes.has(row.index)),
      outcomes,
      created,
    );
    if (mayHaveWritten(error)) {
      for (const row of rows) if (!outcomes.has(row.index)) this.#unknown.push(row.index);
    }
    this.#unfinishedIds.push(...created);
  }

  /**
   * The error an interrupted call throws: its cause where nothing can be stored (an atomic call
   * rolls back; or nothing was written), else what it stored and what is in doubt.
   */
  interrupted(error: unknown, finishedIds: readonly EntityId[]): unknown {
    if (this.settings.atomic) return error;
    const unfinished = this.#unfinishedIds.sort((a, b) => a.index - b.index).map((c) => c.id);
    const { errors } = this.result.build();
    const storedIndices = this.#stored.toArray();
    return interruptedWrite(`${this.context.model.name}: bulk create`, error, {
      successCount: storedIndices.length,
      storedIndices,
      unknownIndices: [...this.#unknown].sort((a, b) => a - b),
      ids: [...finishedIds, ...unfinished],
      errors,
    });
  }

  /** Reports a settled window's statements to `onProgress`, one call each. */
  reportProgress(window: WrittenWindow): void {
    const { onProgress } = this.settings;
    if (!onProgress || this.settings.dryRun) return;
    for (const rows of window.steps) {
      this.#processed += rows;
      onProgress({
        processed: this.#processed,
        batches: ++this.#reportedBatches,
        total: this.total,
      });
    }
    // Rows of a window that needed no statement are counted in the next report.
    this.#processed += window.unwritten ?? 0;
  }

  /** Adds a chunk's outcomes to the result; true when a row failed. */
  #record(
    rows: readonly PreparedRow[],
    outcomes: ReadonlyMap<number, RowOutcome<T>>,
    created: { index: number; id: EntityId }[],
  ): boolean {
    const { result } = this;
    const { report } = this.settings;
    let failed = false;
    for (const row of rows) {
      const outcome = outcomes.get(row.index)!;
      report?.(row.index, outcome);
      switch (outcome.kind) {
        case 'failed':
          result.fail(row.index, outcome.code, outcome.message);
          failed = true;
          continue;
        default:
          this.#stored.add(row.index);
      }
      switch (outcome.kind) {
        case 'inserted':
          if (outcome.id !== undefined) created.push({ index: row.index, id: outcome.id });
          if (result.insertedCount !== undefined) result.insertedCount++;
          this.touched.insertedCount++;
          break;
        case 'updated':
          if (outcome.id !== undefined) this.touched.updated.push(outcome.id);
          result.updatedCount!++;
          this.touched.updatedCount++;
          break;
        case 'skipped':
          result.skippedCount!++;
          break;
      }
      result.successCount++;
    }
    return failed;
  }
}
