import type { ObjectLiteral } from 'typeorm';
import { callback, given } from '../config/option-checks';
import {
  ConfigurationError,
  LockingOptionError,
  MergeConflictError,
  NotFoundError,
  OptimisticLockError,
} from '../errors';
import type { UpdateOptions } from '../repository/call-options';
import type { EntityModel, ModelColumn } from '../model/entity-model';
import type { EntityId } from '../repository/repository-events';
import { backoffDelay, pause } from '../transactions/backoff';
import type { LockingState } from './locking-state';
import {
  resolveLockingSettings,
  type LockingSettings,
  type Updater,
  type UpdateWithVersionOptions,
} from './locking-options';
import { threeWayMerge, type FieldResolver } from './three-way-merge';

/**
 * The repository calls `updateWithVersion` is built on. Every attempt is a read and a conditional
 * `update`, so validation, tenant and soft-delete guards, events and cache invalidation apply
 * exactly as they do to a direct call, and a version conflict is detected (and counted) in one
 * place: `update(id, changes, { expectedVersion })`.
 */
export interface VersionedTarget<T extends ObjectLiteral, U> {
  readonly model: EntityModel<T>;
  readonly locking: LockingState;
  /**
   * The row as `findById` returns it (possibly from the cache), or with `fresh` as the database
   * holds it now; `null` when missing. Re-reads after a conflict are fresh.
   */
  read(id: EntityId, options: { readonly fresh: boolean }): Promise<T | null>;
  /** `update(id, changes, options)`. */
  update(id: EntityId, changes: U, options?: UpdateOptions): Promise<T>;
}

/**
 * Reads the row, computes changes with `updater`, and writes them under a version check, reacting
 * to a conflict as `options.strategy` says (see {@link LockStrategy}). Returns the row as written.
 * @throws NotFoundError when the row is missing (at the first read or any re-read)
 * @throws OptimisticLockError on a conflict with `'fail-fast'`, or after `maxRetries` retries
 *   (`attempts` says how many writes were tried)
 * @throws MergeConflictError when `'merge'` finds fields both sides changed and no `resolve`
 * @throws ValidationError when the changes fail the Update DTO; nothing is retried then
 */
export async function updateWithVersion<T extends ObjectLiteral, U>(
  target: VersionedTarget<T, U>,
  id: EntityId,
  updater: Updater<T, U>,
  options: UpdateWithVersionOptions<U> = {},
): Promise<T> {
  const { locking, model } = target;
  const settings = resolveLockingSettings(options, locking.settings);
  callback('updater', updater, LockingOptionError.invalid);
  given(options.resolve, (v) => callback('resolve', v, LockingOptionError.invalid));
  const version = model.version;
  if (!version && settings.strategy !== 'last-writer-wins') {
    const feature = `updateWithVersion with strategy '${settings.strategy}'`;
    throw ConfigurationError.needsColumn(model.name, feature, 'VersionColumn');
  }
  const run = new VersionedUpdate(target, id, updater, settings, version);
  let succeeded = false;
  try {
    const result = await run.start(options.resolve as FieldResolver | undefined);
    succeeded = true;
    return result;
  } finally {
    locking.metrics.recordOperation({
      succeeded,
      retries: Math.max(0, run.attempts - 1),
      exhausted: run.exhausted,
      mergeConflict: run.mergeConflict,
    });
  }
}

/** One `updateWithVersion` call: its attempts and how it ended. */
class VersionedUpdate<T extends ObjectLiteral, U> {
  /** Writes tried so far. */
  attempts = 0;
  exhausted = false;
  mergeConflict = false;

  constructor(
    private readonly target: VersionedTarget<T, U>,
    private readonly id: EntityId,
    private readonly updater: Updater<T, U>,
    private readonly settings: LockingSettings,
    private readonly version: ModelColumn | undefined,
  ) {}

  start(resolve: FieldResolver | undefined): Promise<T> {
    switch (this.settings.strategy) {
      case 'fail-fast':
        return this.once({ checked: true });
      case 'last-writer-wins':
        return this.once({ checked: false });
      case 'retry':
        return this.retry();
      case 'merge':
        return this.merge(resolve);
    }
  }

  /** One read and one write, with or without the version check. */
  private async once({ checked }: { readonly checked: boolean }): Promise<T> {
    const current = await this.read();
    const changes = await this.updater(current);
    return this.write(changes, checked ? this.versionOf(current) : undefined);
  }

  /** Re-read and re-apply the updater after each conflict. */
  private async retry(): Promise<T> {
    for (;;) {
      const current = await this.read();
      const changes = await this.updater(current);
      try {
        return await this.write(changes, this.versionOf(current));
      } catch (error) {
        await this.backOffAfter(error);
      }
    }
  }

  /** Run the updater once; after each conflict merge its changes into the newer row. */
  private async merge(resolve: FieldResolver | undefined): Promise<T> {
    const current = await this.read();
    // A copy: an updater that mutates the row it is given must not rewrite the merge base.
    const base: Record<string, unknown> = { ...current };
    const ours = await this.updater(current);
    let changes: U = ours;
    let latest: T = current;
    for (;;) {
      try {
        return await this.write(changes, this.versionOf(latest));
      } catch (error) {
        await this.backOffAfter(error);
      }
      latest = await this.read();
      const merged = threeWayMerge(base, latest, ours as Record<string, unknown>, resolve);
      if (merged.conflicts.length > 0) {
        this.mergeConflict = true;
        throw new MergeConflictError(this.target.model.name, this.id, merged.conflicts);
      }
      // Everything we meant to change is already in the newer row: nothing left to write.
      if (Object.keys(merged.changes).length === 0) return latest;
      changes = merged.changes as U;
    }
  }

  private write(changes: U, expectedVersion: number | undefined): Promise<T> {
    this.attempts++;
    const options = expectedVersion === undefined ? undefined : { expectedVersion };
    return this.target.update(this.id, changes, options);
  }

  /** Rethrows anything but a version conflict; gives up after `maxRetries`; else waits. */
  private async backOffAfter(error: unknown): Promise<void> {
    if (!(error instanceof OptimisticLockError)) throw error;
    if (this.attempts > this.settings.maxRetries) {
      this.exhausted = true;
      const { entity, id, expectedVersion: expected, actualVersion: actual } = error;
      throw OptimisticLockError.versionMismatch(entity, id, expected, actual, this.attempts);
    }
    await pause(backoffDelay(this.attempts, this.settings));
  }

  /** The row; fresh from the database once a write has been tried (and lost). */
  private async read(): Promise<T> {
    const row = await this.target.read(this.id, { fresh: this.attempts > 0 });
    if (!row) throw new NotFoundError(this.target.model.name, this.id);
    return row;
  }

  private versionOf(row: T): number {
    return Number(row[this.version!.property]);
  }
}
