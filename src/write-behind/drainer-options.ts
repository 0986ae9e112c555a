import { hostname } from 'node:os';
import { batchingFromEnv } from '../config/batching-env';
import { booleanFlag, finiteAtLeast, positiveInteger } from '../config/option-checks';
import { OptionError } from '../errors';
import { DEFAULT_APPLIED_KEYS_TABLE } from './applied-keys-migration';
import type { StreamRedis } from './stream-client';

type Env = Readonly<Record<string, string | undefined>>;

/** How a {@link WriteBehindDrainer} reads, groups and writes. See docs/write-behind.md. */
export interface DrainerOptions {
  /**
   * The Redis holding the streams. Give the drainer a connection of its own: its blocking reads
   * hold the connection for up to `blockMs`.
   */
  readonly redis: StreamRedis;
  /** The repositories (built with `writeBehind`) whose streams this drainer drains. */
  readonly repositories: readonly object[];
  /**
   * The consumer group; drainers sharing it share the work, each entry going to one of them.
   * @default 'tbr-drainers'
   */
  readonly group: string;
  /**
   * This drainer's name in the group. A restarted drainer with the same name resumes its own
   * pending entries at once; another takes them over after `claimIdleMs`.
   * @default `${hostname}-${pid}`
   */
  readonly consumer: string;
  /**
   * Entries read per stream per round, and the most in one bulk INSERT.
   * @default 100 (`INSERT_BATCH_SIZE`)
   * Cost: memory for this many entries; a failing row costs about 2 × log2(batchSize) extra
   *   statements to isolate.
   */
  readonly batchSize: number;
  /**
   * Group entries into bulk INSERTs at all; `false` writes every entry on its own, one
   * transaction each.
   * @default true (`BATCHED_CREATE_ENABLED`)
   */
  readonly batching: boolean;
  /**
   * How long an idle round waits for new entries (XREADGROUP BLOCK), over all streams.
   * @default 1000
   * Cost: `stop()` may wait this long for the round in progress.
   */
  readonly blockMs: number;
  /**
   * An entry pending this long with another consumer (a crashed drainer) is taken over
   * (XAUTOCLAIM).
   * @default 30000
   * Cost: a crashed drainer's entries wait this long; below a batch's write time, a slow drainer's
   *   entries are written twice over (the applied keys still store each once).
   */
  readonly claimIdleMs: number;
  /**
   * Deliveries after which an entry whose group keeps failing with a non-transient error goes to
   * the dead-letter stream. Transient errors (connection lost, deadlock) never count: those
   * entries wait for the database.
   * @default 5
   */
  readonly maxAttempts: number;
  /**
   * The applied-keys table, created by {@link WriteBehindAppliedKeysMigration}.
   * @default 'tbr_write_behind_applied'
   */
  readonly appliedKeysTable: string;
  /**
   * How long an applied key is kept: a redelivery or retried enqueue later than this would write
   * again. Pruned by the running drainer every `retentionMs / 10` (at most once a minute).
   * @default 604800000 (7 days)
   * Cost: one row of about 300 bytes per entry drained within the retention.
   */
  readonly retentionMs: number;
}

export const DEFAULT_DRAINER_OPTIONS = Object.freeze({
  group: 'tbr-drainers',
  batchSize: 100,
  batching: true,
  blockMs: 1000,
  claimIdleMs: 30_000,
  maxAttempts: 5,
  appliedKeysTable: DEFAULT_APPLIED_KEYS_TABLE,
  retentionMs: 7 * 24 * 3600 * 1000,
});

/** The options with defaults filled in; a wrong one is an `OptionError` naming it. */
export function resolveDrainerOptions(
  options: Partial<DrainerOptions> & Pick<DrainerOptions, 'redis' | 'repositories'>,
): DrainerOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved: DrainerOptions = {
    ...DEFAULT_DRAINER_OPTIONS,
    consumer: `${hostname()}-${process.pid}`,
    ...given,
  } as DrainerOptions;
  const { redis } = resolved;
  if (redis === null || typeof redis !== 'object' || typeof redis.call !== 'function') {
    throw OptionError.invalid('drainer.redis', 'an ioredis client', redis);
  }
  if (!Array.isArray(resolved.repositories) || resolved.repositories.length === 0) {
    throw OptionError.invalid('drainer.repositories', 'a non-empty array', resolved.repositories);
  }
  for (const name of ['group', 'consumer', 'appliedKeysTable'] as const) {
    const value: unknown = resolved[name];
    if (typeof value !== 'string' || value === '') {
      throw OptionError.invalid(`drainer.${name}`, 'a non-empty string', value);
    }
  }
  positiveInteger('drainer.batchSize', resolved.batchSize);
  booleanFlag('drainer.batching', resolved.batching);
  finiteAtLeast('drainer.blockMs', resolved.blockMs, 0);
  finiteAtLeast('drainer.claimIdleMs', resolved.claimIdleMs, 0);
  positiveInteger('drainer.maxAttempts', resolved.maxAttempts);
  finiteAtLeast('drainer.retentionMs', resolved.retentionMs, 0);
  return Object.freeze(resolved);
}

/**
 * The options set by the environment, as the seed's drainer reads them:
 * `new WriteBehindDrainer({ redis, repositories, ...drainerOptionsFromEnv() })`.
 *
 * | variable | option | values |
 * |---|---|---|
 * | `BATCHED_CREATE_ENABLED` | `batching` | `true`/`1`, `false`/`0` |
 * | `INSERT_BATCH_SIZE` | `batchSize` | a positive integer |
 *
 * Unset or empty variables are left out; anything else is an `OptionError` naming the variable.
 */
export function drainerOptionsFromEnv(
  env: Env = process.env,
): Partial<Pick<DrainerOptions, 'batching' | 'batchSize'>> {
  const { enabled, batchSize } = batchingFromEnv(env);
  return {
    ...(enabled === undefined ? {} : { batching: enabled }),
    ...(batchSize === undefined ? {} : { batchSize }),
  };
}
