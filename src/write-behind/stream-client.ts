import type { RedisClient } from '../cache/redis-client';

/**
 * The Redis client write-behind uses, by shape: an ioredis `Redis` or `Cluster`. Stream commands
 * go through `call` (ioredis routes it by the command's keys, on a cluster too), scripts through
 * EVALSHA, and `awaitStored` replies through pub/sub on a `duplicate()`; declared here so that the
 * package compiles without ioredis installed.
 */
export interface StreamRedis extends RedisClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}
