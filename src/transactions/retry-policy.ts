import {
  finiteAtLeast,
  given,
  jitterFraction,
  nonNegativeInteger,
  type OptionFailure,
} from '../config/option-checks';
import { TransactionOptionError, TransientDatabaseError } from '../errors';
import { backoffDelay } from './backoff';

/**
 * How `withTransaction` and `repo.transaction` retry a transaction that failed for a transient
 * reason the dialect adapter recognises (deadlock, serialization failure, lock wait timeout,
 * `SQLITE_BUSY`, a connection refused before anything was sent) and that certainly left nothing
 * applied. A retry re-runs the whole callback on a fresh transaction after a backoff. Every field
 * is optional; unset ones take the defaults below (`RepositoryOptions.retry` first, for
 * `repo.transaction`).
 */
export interface RetryConfig {
  /**
   * Retries after the first attempt; 0 never retries. When they run out, the last
   * `TransientDatabaseError` is thrown.
   * @default 3
   * Cost: each retry runs the callback again (all its statements, and any side effect it has
   * outside the database) after a backoff.
   */
  readonly maxRetries?: number;
  /**
   * The backoff ceiling before the first retry, in milliseconds; it grows by `exponentialBase`
   * per retry, up to `maxDelayMs`.
   * @default 20
   * Cost: added latency per retry; 0 retries at once, which under contention tends to collide
   * again.
   */
  readonly initialDelayMs?: number;
  /**
   * Cap on one backoff, in milliseconds.
   * @default 1000
   * Cost: the worst added latency per retry.
   */
  readonly maxDelayMs?: number;
  /**
   * Growth of the backoff ceiling from one retry to the next (≥ 1): the ceiling before retry n is
   * `initialDelayMs · exponentialBase^(n-1)`, capped at `maxDelayMs`.
   * @default 2
   */
  readonly exponentialBase?: number;
  /**
   * Randomised part of each backoff: `true` (= 1, "full jitter": a delay drawn uniformly below the
   * ceiling), `false` (= 0, exactly the ceiling), or a fraction in [0, 1]. Jitter keeps the two
   * sides of a deadlock from meeting again in lockstep.
   * @default true
   * Cost: none; the average delay is lower with more jitter.
   */
  readonly jitter?: boolean | number;
}

/** {@link RetryConfig} with every default applied and `jitter` as a fraction. */
export interface RetrySettings {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly exponentialBase: number;
  readonly jitter: number;
}

/** The defaults of {@link RetryConfig}. */
export const DEFAULT_RETRY_CONFIG: RetrySettings = Object.freeze({
  maxRetries: 3,
  initialDelayMs: 20,
  maxDelayMs: 1000,
  exponentialBase: 2,
  jitter: 1,
});

/**
 * `override`'s fields over `base`'s, field by field; an `undefined` field does not hide the base's
 * (the repository's `retry` option under one call's `retry`).
 */
export function mergeRetryConfig(
  base: RetryConfig | undefined,
  override: RetryConfig | undefined,
): RetryConfig | undefined {
  if (!base || !override) return override ?? base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** A retry option out of range is a {@link TransactionOptionError}. */
const fail: OptionFailure = TransactionOptionError.invalid;

/**
 * `config` checked and completed with the defaults.
 * @param option the name errors give the config (`retry`)
 * @throws TransactionOptionError naming the first field out of range
 */
export function retrySettings(config: RetryConfig | undefined, option = 'retry'): RetrySettings {
  if (config === undefined) return DEFAULT_RETRY_CONFIG;
  if (typeof config !== 'object' || config === null) throw fail(option, 'an object', config);
  const { maxRetries, initialDelayMs, maxDelayMs, exponentialBase, jitter } = config;
  const name = (key: keyof RetrySettings) => `${option}.${key}`;
  const defaults = DEFAULT_RETRY_CONFIG;
  return {
    maxRetries:
      given(maxRetries, (v) => nonNegativeInteger(name('maxRetries'), v, fail)) ??
      defaults.maxRetries,
    initialDelayMs:
      given(initialDelayMs, (v) => finiteAtLeast(name('initialDelayMs'), v, 0, fail)) ??
      defaults.initialDelayMs,
    maxDelayMs:
      given(maxDelayMs, (v) => finiteAtLeast(name('maxDelayMs'), v, 0, fail)) ??
      defaults.maxDelayMs,
    exponentialBase:
      given(exponentialBase, (v) => finiteAtLeast(name('exponentialBase'), v, 1, fail)) ??
      defaults.exponentialBase,
    jitter: given(jitter, (v) => jitterFraction(name('jitter'), v, fail)) ?? defaults.jitter,
  };
}

/**
 * The pause before retry number `retry` (1 for the first), in milliseconds: the ceiling
 * `initialDelayMs · exponentialBase^(retry-1)` capped at `maxDelayMs`, of which the `jitter`
 * fraction is drawn uniformly at random. Always within [ceiling · (1 - jitter), ceiling].
 */
export function retryDelay(
  retry: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number {
  // One backoff formula for the library: the locking strategies use the same one.
  const { initialDelayMs, exponentialBase, maxDelayMs, jitter } = settings;
  const backoff = {
    retryDelayMs: initialDelayMs,
    backoffMultiplier: exponentialBase,
    maxRetryDelayMs: maxDelayMs,
    jitter,
  };
  return backoffDelay(retry, backoff, random);
}

/**
 * Whether running a transaction again is safe and may succeed: a {@link TransientDatabaseError}
 * whose outcome is `'not-applied'`. An `'unknown'` outcome (a connection lost during COMMIT) is
 * never retried, since the first attempt may have been applied.
 */
export function isRetryable(error: unknown): error is TransientDatabaseError {
  return error instanceof TransientDatabaseError && error.outcome === 'not-applied';
}

export { pause } from './backoff';
