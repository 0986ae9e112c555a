/**
 * The Redis client the Redis store, its subscription and its warming coordination use, by shape:
 * an ioredis `Redis` or `Cluster` has every member. Declared here rather than imported from
 * ioredis so that the package's declarations compile in a service that never installs ioredis
 * (it is an optional peer). Only what the library calls is listed.
 */
export interface RedisClient {
  /** ioredis's connection state: `wait` (lazy, not connected), `connecting`, `ready`, `end`, … */
  readonly status: string;
  connect(): Promise<unknown>;
  duplicate(): RedisClient;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: string[]) => void): unknown;
  once(event: string, listener: (...args: string[]) => void): unknown;
  off(event: string, listener: (...args: string[]) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  exists(key: string): Promise<number>;
  zunion(count: number, ...keysAndWithScores: string[]): Promise<string[]>;
  eval(script: string, keyCount: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  evalsha(sha: string, keyCount: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  pipeline(): RedisPipeline;
}

/** One server's client (ioredis `Redis`): it can also SCAN its keys. */
export interface RedisNodeClient extends RedisClient {
  scanStream(options: { match: string; count: number }): NodeJS.ReadableStream;
  unlink(...keys: string[]): Promise<number>;
}

/** A Redis Cluster client (ioredis `Cluster`): a SCAN visits its primaries one by one. */
export interface RedisClusterClient extends RedisClient {
  nodes(role: 'master'): RedisNodeClient[];
}

export interface RedisPipeline {
  zincrby(key: string, increment: number, member: string): RedisPipeline;
  pexpire(key: string, ms: number): RedisPipeline;
  exec(): Promise<unknown>;
}
