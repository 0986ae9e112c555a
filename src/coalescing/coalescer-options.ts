import { batchingFromEnv } from '../config/batching-env';
import { booleanFlag, finiteAtLeast, positiveInteger } from '../config/option-checks';
import { ConfigurationError } from '../errors';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * How a {@link WriteCoalescer} groups single-row creates into bulk INSERTs. Every field is
 * optional when constructing; the defaults were chosen with `npm run bench -- coalesce`
 * (docs/write-coalescing.md has the figures).
 */
export interface CoalescerOptions {
  /**
   * Coalesce at all. `false` makes `createBatched` a pass-through to `create`.
   * @default true
   */
  readonly enabled: boolean;
  /**
   * Entries of one group (entity, tenant, column signature) written by one bulk INSERT; a group
   * is flushed as soon as it holds this many.
   * @default 32 (measured with `npm run bench -- coalesce`, 64 concurrent producers: 32 beat 64
   *   by 10–25% on PostgreSQL and MariaDB in each of three runs, because two groups can be in
   *   flight on two connections while the other's rows are prepared; 16 and 48 no better; 128 two
   *   to three times slower, because a group that never fills waits out `maxWaitMs` every time)
   * Cost: memory for this many entries per open group; a failing row costs about
   * 2 × log2(maxBatchSize) extra statements to isolate. Above the number of concurrent callers,
   * every group waits `maxWaitMs`.
   */
  readonly maxBatchSize: number;
  /**
   * How long a group waits for more entries after its first one before it is flushed anyway.
   * @default 2 (measured: with full groups 1, 2 and 5 ms are within noise; with groups that do not
   *   fill, every millisecond is paid by every call, so the wait stays short; callers arriving
   *   independently share a group for about rate × wait, so 2 ms gathers twice what 1 ms does)
   * Cost: up to this much added latency for a call whose group does not fill.
   */
  readonly maxWaitMs: number;
  /**
   * A group flushed with fewer entries than this takes the single-row path: one `INSERT` and one
   * `created` event per entry, as `create` does. `1` sends even a lone entry through the bulk path.
   * @default 2 (a lone entry is a plain create)
   * Cost: none; a bulk INSERT of one row is slower than a plain one.
   */
  readonly minBatchSize: number;
  /**
   * Backpressure: the most entries queued or being written at once, over every group. A call
   * beyond it waits (in order of arrival) until an entry completes, rather than memory growing.
   * @default 10000
   * Cost: about one DTO's worth of memory per pending entry.
   */
  readonly maxPending: number;
}

export const DEFAULT_COALESCER_OPTIONS: Readonly<CoalescerOptions> = Object.freeze({
  enabled: true,
  maxBatchSize: 32,
  maxWaitMs: 2,
  minBatchSize: 2,
  maxPending: 10_000,
});

/**
 * The options with defaults filled in; a wrong one is an `OptionError` naming it, two that
 * contradict each other a {@link ConfigurationError}.
 */
export function resolveCoalescerOptions(options: Partial<CoalescerOptions> = {}): CoalescerOptions {
  const resolved = { ...DEFAULT_COALESCER_OPTIONS, ...withoutUndefined(options) };
  booleanFlag('coalescer.enabled', resolved.enabled);
  positiveInteger('coalescer.maxBatchSize', resolved.maxBatchSize);
  positiveInteger('coalescer.minBatchSize', resolved.minBatchSize);
  positiveInteger('coalescer.maxPending', resolved.maxPending);
  finiteAtLeast('coalescer.maxWaitMs', resolved.maxWaitMs, 0);
  if (resolved.minBatchSize > resolved.maxBatchSize) {
    throw new ConfigurationError(
      `coalescer.minBatchSize (${resolved.minBatchSize}) cannot exceed maxBatchSize (${resolved.maxBatchSize})`,
    );
  }
  if (resolved.maxPending < resolved.maxBatchSize) {
    throw new ConfigurationError(
      `coalescer.maxPending (${resolved.maxPending}) must be at least maxBatchSize (${resolved.maxBatchSize})`,
    );
  }
  return Object.freeze(resolved);
}

/**
 * The options set by the environment, to spread into a coalescer's options:
 * `new WriteCoalescer({ ...coalescerOptionsFromEnv(), maxWaitMs: 5 })`.
 *
 * | variable | option | values |
 * |---|---|---|
 * | `BATCHED_CREATE_ENABLED` | `enabled` | `true`/`1`, `false`/`0` |
 * | `INSERT_BATCH_SIZE` | `maxBatchSize` | a positive integer |
 *
 * Unset or empty variables are left out. Anything else is an `OptionError` naming the variable. Nothing reads the environment unless this is called.
 */
export function coalescerOptionsFromEnv(env: Env = process.env): Partial<CoalescerOptions> {
  const { enabled, batchSize } = batchingFromEnv(env);
  return {
    ...(enabled === undefined ? {} : { enabled }),
    ...(batchSize === undefined ? {} : { maxBatchSize: batchSize }),
  };
}

function withoutUndefined<O extends object>(options: O): Partial<O> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<O>;
}
