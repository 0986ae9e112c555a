import { finiteAtLeast, oneOf, positiveInteger, positiveNumber } from '../config/option-checks';
import { OptionError } from '../errors';
import type { StreamRedis } from './stream-client';

/** What `enqueueCreate` does when the entity's stream already holds `maxPending` entries. */
export type WhenFull = 'reject' | 'wait';

/**
 * A repository's write-behind: where `enqueueCreate` / `enqueueUpsert` append their entries. A
 * {@link WriteBehindDrainer} given the repository reads the same settings. See
 * docs/write-behind.md.
 */
export interface WriteBehindConfig<T = Record<string, unknown>> {
  /**
   * The Redis (an ioredis `Redis` or `Cluster`) holding the streams. Run it with
   * `appendonly yes` and `appendfsync always` for an acknowledged entry to survive a crash.
   */
  readonly redis: StreamRedis;
  /**
   * Prefix of every key; the entity's streams are `<prefix>{<Entity>:<shard>}`.
   * @default 'tbr:wb:'
   */
  readonly keyPrefix?: string;
  /**
   * Streams per entity; an entry goes to the one its idempotency key hashes to. More shards
   * spread an entity over Redis Cluster slots and drainers.
   * @default 1
   * Cost: a drainer reads each shard with its own commands.
   */
  readonly shards?: number;
  /**
   * Backpressure: the most entries a stream holds that its consumer group has not acknowledged.
   * @default 100000
   * Cost: Redis memory, about the size of an entry's JSON per pending entry.
   */
  readonly maxPending?: number;
  /**
   * When the stream is full: `'reject'` with `WriteBehindError` (`WRITE_BEHIND_FULL`), or
   * `'wait'` up to `fullWaitMs` for drainers to make room, then reject.
   * @default 'reject'
   */
  readonly whenFull?: WhenFull;
  /**
   * With `whenFull: 'wait'`: how long a call waits for room.
   * @default 5000
   * Cost: a waiting call retries its XADD with a backoff from 5 ms up to 200 ms.
   */
  readonly fullWaitMs?: number;
  /**
   * How long an `awaitStored: true` call waits for a drainer's answer before it rejects with
   * `WRITE_BEHIND_OUTCOME_UNKNOWN` (the entry stays queued).
   * @default 30000
   * Cost: a pending promise and a timer per waiting call; one pub/sub connection per repository
   *   while any call waits.
   */
  readonly awaitStoredTimeoutMs?: number;
  /**
   * The unique key `enqueueUpsert` upserts on, as property names.
   * @default the primary key
   */
  readonly conflictTarget?: readonly (keyof T & string)[];
}

/** {@link WriteBehindConfig} with its defaults filled in and checked. */
export interface WriteBehindSettings {
  readonly redis: StreamRedis;
  readonly keyPrefix: string;
  readonly shards: number;
  readonly maxPending: number;
  readonly whenFull: WhenFull;
  readonly fullWaitMs: number;
  readonly awaitStoredTimeoutMs: number;
  readonly conflictTarget?: readonly string[];
}

const WHEN_FULL: readonly WhenFull[] = ['reject', 'wait'];

/** Checks a repository's `writeBehind` option; a wrong one is an `OptionError` naming it. */
export function resolveWriteBehind<T>(config: WriteBehindConfig<T>): WriteBehindSettings {
  const { redis } = config;
  if (
    redis === null ||
    typeof redis !== 'object' ||
    typeof redis.call !== 'function' ||
    typeof redis.duplicate !== 'function'
  ) {
    throw OptionError.invalid('writeBehind.redis', 'an ioredis client', redis);
  }
  const keyPrefix = config.keyPrefix ?? 'tbr:wb:';
  if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) {
    throw OptionError.invalid('writeBehind.keyPrefix', 'a string without { or }', keyPrefix);
  }
  return {
    redis,
    keyPrefix,
    shards: positiveInteger('writeBehind.shards', config.shards ?? 1),
    maxPending: positiveInteger('writeBehind.maxPending', config.maxPending ?? 100_000),
    whenFull: oneOf('writeBehind.whenFull', config.whenFull ?? 'reject', WHEN_FULL),
    fullWaitMs: finiteAtLeast('writeBehind.fullWaitMs', config.fullWaitMs ?? 5000, 0),
    awaitStoredTimeoutMs: positiveNumber(
      'writeBehind.awaitStoredTimeoutMs',
      config.awaitStoredTimeoutMs ?? 30_000,
    ),
    ...(config.conflictTarget ? { conflictTarget: config.conflictTarget } : {}),
  };
}
