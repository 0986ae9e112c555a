import type { WarmingCoordination } from '../../src';
import type { NodeRedisClient } from './node-redis-client';

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Warming coordination on node-redis, written against the public API only: usage counts in a
 * sorted set per window, the warm lock a key taken with SET NX PX. Its keys are its own
 * (`<prefix>{<namespace>}:usage:<window>`, `…:warm`), not RedisCacheStore's.
 */
export class NodeRedisWarmingCoordination implements WarmingCoordination {
  readonly scope = 'fleet';

  constructor(
    private readonly client: NodeRedisClient,
    private readonly prefix: string,
  ) {}

  async addUsage(
    namespace: string,
    window: number,
    windowMs: number,
    counts: ReadonlyMap<string, number>,
  ): Promise<void> {
    const key = this.#usageKey(namespace, window);
    const multi = this.client.multi();
    for (const [spec, n] of counts) multi.zIncrBy(key, n, spec);
    await multi.pExpire(key, windowMs * 2 + 60_000).exec();
  }

  async readUsage(namespace: string, windows: readonly number[]): Promise<Map<string, number>> {
    const [first, ...rest] = windows.map((window) => this.#usageKey(namespace, window));
    if (first === undefined) return new Map();
    const members = await this.client.zUnionWithScores([first, ...rest]);
    return new Map(members.map(({ value, score }) => [String(value), Number(score)]));
  }

  async acquireWarmLock(namespace: string, token: string, ttlMs: number): Promise<boolean> {
    const reply = await this.client.set(this.#lockKey(namespace), token, {
      expiration: { type: 'PX', value: Math.max(1, ttlMs) },
      condition: 'NX',
    });
    return reply === 'OK';
  }

  async releaseWarmLock(namespace: string, token: string): Promise<void> {
    await this.client.eval(RELEASE, { keys: [this.#lockKey(namespace)], arguments: [token] });
  }

  async isWarmLockHeld(namespace: string): Promise<boolean> {
    return (await this.client.exists(this.#lockKey(namespace))) === 1;
  }

  #usageKey(namespace: string, window: number): string {
    return `${this.prefix}{${namespace}}:usage:${window}`;
  }

  #lockKey(namespace: string): string {
    return `${this.prefix}{${namespace}}:warm`;
  }
}
