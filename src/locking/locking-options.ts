import {
  finiteAtLeast,
  given,
  jitterFraction,
  nonNegativeInteger,
  oneOf,
  type OptionFailure,
} from '../config/option-checks';
import { LockingOptionError } from '../errors';

/**
 * What `updateWithVersion` does when another writer changed the row between its read and its
 * write:
 * - `'fail-fast'`: throw the first `OptimisticLockError`;
 * - `'retry'`: re-read the row, run the updater again on it, back off, try again;
 * - `'merge'`: merge our changes into the newer row field by field (three-way);
 * - `'last-writer-wins'`: no version check; the write lands whatever happened meanwhile.
 */
export type LockStrategy = 'fail-fast' | 'retry' | 'merge' | 'last-writer-wins';

/** Every {@link LockStrategy}, for the runtime check of a caller's value. */
export const LOCK_STRATEGIES: Readonly<Record<LockStrategy, true>> = Object.freeze({
  'fail-fast': true,
  retry: true,
  merge: true,
  'last-writer-wins': true,
});

/**
 * Computes the changes to write from the row as currently stored. It may run more than once
 * (`'retry'` calls it again on each fresh row), so it should not have side effects. The changes are
 * validated against the repository's Update DTO on every attempt, like `update()` input.
 */
export type Updater<T, U> = (current: Readonly<T>) => U | Promise<U>;

/**
 * Settles a field that both we and another writer changed to different values (`'merge'`):
 * returns the value to write. `base` is the field as the updater saw it.
 */
export type MergeResolver<U> = (
  field: Extract<keyof U, string>,
  ours: unknown,
  theirs: unknown,
  base: unknown,
) => unknown;

/** The knobs shared by the repository's `locking` defaults and each `updateWithVersion` call. */
export interface LockingBehaviour {
  /**
   * @default 'retry'
   * Cost: `'fail-fast'` and `'last-writer-wins'` are one read and one write; `'retry'` adds a write
   * and two reads per conflict (the update's own "missing or stale?" check, then the re-read);
   * `'merge'` the same without re-running the updater.
   */
  readonly strategy?: LockStrategy;
  /**
   * Retries after the first attempt (`'retry'` and `'merge'`); then `OptimisticLockError` with
   * `attempts = maxRetries + 1`.
   * @default 5
   * Cost: a hot row with many writers needs more; each retry is a backoff plus round trips.
   */
  readonly maxRetries?: number;
  /**
   * The backoff ceiling before the first retry, in milliseconds; it grows by
   * `backoffMultiplier` per retry, up to `maxRetryDelayMs`.
   * @default 10
   * Cost: added latency per conflict; 0 retries at once (busy contention burns round trips).
   */
  readonly retryDelayMs?: number;
  /**
   * Growth of the backoff ceiling from one retry to the next (≥ 1).
   * @default 2
   */
  readonly backoffMultiplier?: number;
  /**
   * Cap on one backoff, in milliseconds.
   * @default 1000
   */
  readonly maxRetryDelayMs?: number;
  /**
   * Randomised part of each backoff: `true` (= 1, "full jitter": a delay drawn uniformly from
   * [0, ceiling]), `false` (= 0, exactly the ceiling), or a fraction in [0, 1]. Jitter keeps
   * writers that collided once from colliding again in lockstep.
   * @default true
   */
  readonly jitter?: boolean | number;
}

/** `RepositoryOptions.locking`: defaults for `updateWithVersion`, and the conflict history size. */
export interface LockingConfig extends LockingBehaviour {
  /**
   * How many of the latest version conflicts `conflictHistory()` keeps (a ring buffer per
   * repository, shared by its `withManager` clones). 0 keeps none.
   * @default 100
   * Cost: one small record per conflict, in memory that is allocated as conflicts arrive.
   */
  readonly conflictHistorySize?: number;
}

/** The options of one `updateWithVersion` call; unset ones come from the repository's `locking`. */
export interface UpdateWithVersionOptions<U = object> extends LockingBehaviour {
  /**
   * Settles fields changed on both sides (`'merge'` only). Without it such fields raise
   * `MergeConflictError` listing them, and nothing is written.
   * @default undefined
   */
  readonly resolve?: MergeResolver<U>;
}

/** {@link LockingBehaviour} with every default applied and `jitter` as a fraction. */
export interface LockingSettings {
  readonly strategy: LockStrategy;
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly backoffMultiplier: number;
  readonly maxRetryDelayMs: number;
  readonly jitter: number;
}

export const DEFAULT_LOCKING_SETTINGS: LockingSettings = Object.freeze({
  strategy: 'retry',
  maxRetries: 5,
  retryDelayMs: 10,
  backoffMultiplier: 2,
  maxRetryDelayMs: 1000,
  jitter: 1,
});

export const DEFAULT_CONFLICT_HISTORY_SIZE = 100;

const STRATEGY_NAMES = Object.keys(LOCK_STRATEGIES) as LockStrategy[];

/** A locking option out of range is a {@link LockingOptionError} (`INVALID_LOCKING_OPTION`). */
const fail: OptionFailure = LockingOptionError.invalid;

/**
 * `options` over `defaults`, each given value checked. A call that sets nothing gets `defaults`
 * itself back (no allocation). `prefix` names where the options came from in errors.
 */
export function resolveLockingSettings(
  options: LockingBehaviour,
  defaults: LockingSettings,
  prefix = '',
): LockingSettings {
  const { strategy, maxRetries, retryDelayMs, backoffMultiplier, maxRetryDelayMs, jitter } =
    options;
  if (
    strategy === undefined &&
    maxRetries === undefined &&
    retryDelayMs === undefined &&
    backoffMultiplier === undefined &&
    maxRetryDelayMs === undefined &&
    jitter === undefined
  ) {
    return defaults;
  }
  const name = (option: string) => prefix + option;
  return Object.freeze({
    strategy:
      given(strategy, (v) => oneOf(name('strategy'), v, STRATEGY_NAMES, fail)) ?? defaults.strategy,
    maxRetries:
      given(maxRetries, (v) => nonNegativeInteger(name('maxRetries'), v, fail)) ??
      defaults.maxRetries,
    retryDelayMs:
      given(retryDelayMs, (v) => finiteAtLeast(name('retryDelayMs'), v, 0, fail)) ??
      defaults.retryDelayMs,
    backoffMultiplier:
      given(backoffMultiplier, (v) => finiteAtLeast(name('backoffMultiplier'), v, 1, fail)) ??
      defaults.backoffMultiplier,
    maxRetryDelayMs:
      given(maxRetryDelayMs, (v) => finiteAtLeast(name('maxRetryDelayMs'), v, 0, fail)) ??
      defaults.maxRetryDelayMs,
    jitter: given(jitter, (v) => jitterFraction(name('jitter'), v, fail)) ?? defaults.jitter,
  });
}

/** A non-negative safe integer, or `undefined` when not given. */
export function checkCount(option: string, value: unknown): number | undefined {
  return given(value, (v) => nonNegativeInteger(option, v, fail));
}
