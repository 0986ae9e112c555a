import type { RedisClient } from './redis-client';
import type { WarmingCoordination } from './warming-coordination';

/** Releases the lock only if it is still ours: a lock that expired and was taken is left alone. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Usage counts and the warm lock in Redis, shared by every instance using the same client and key
 * prefix. Counts are a sorted set per window (`<keyPrefix>{<namespace>}#usage:<window>`) whose
 * members are the reads themselves, so any instance can re-run them; the lock is
 * `<keyPrefix>{<namespace>}#warm-lock`, taken with SET NX PX. The namespace's hash tag keeps
 * both on its cluster slot.
 *
 * These commands use the client directly, not the store's fail-open guard: during an outage they
 * wait for ioredis' own retries.
 */
export class RedisWarmingCoordination implements WarmingCoordination {
  readonly scope = 'fleet';

  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
  ) {}

  async addUsage(
    namespace: string,
    window: number,
    windowMs: number,
    counts: ReadonlyMap<string, number>,
  ): Promise<void> {
    const key = this.#usageKey(namespace, window);
    const pipeline = this.redis.pipeline();
    for (const [spec, n] of counts) pipeline.zincrby(key, n, spec);
    pipeline.pexpire(key, windowMs * 2 + 60_000);
    await pipeline.exec();
  }

  async readUsage(namespace: string, windows: readonly number[]): Promise<Map<string, number>> {
    const keys = windows.map((window) => this.#usageKey(namespace, window));
    const reply = await this.redis.zunion(keys.length, ...keys, 'WITHSCORES');
    const total = new Map<string, number>();
    for (let i = 0; i + 1 < reply.length; i += 2) total.set(reply[i]!, Number(reply[i + 1]));
    return total;
  }

  async acquireWarmLock(namespace: string, token: string, ttlMs: number): Promise<boolean> {
    const key = this.#lockKey(namespace);
    return (await this.redis.set(key, token, 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async releaseWarmLock(namespace: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.#lockKey(namespace), token);
  }

  async isWarmLockHeld(namespace: string): Promise<boolean> {
    return (await this.redis.exists(this.#lockKey(namespace))) === 1;
  }

  #usageKey(namespace: string, window: number): string {
    return `${this.keyPrefix}{${namespace}}#usage:${window}`;
  }

  #lockKey(namespace: string): string {
    return `${this.keyPrefix}{${namespace}}#warm-lock`;
  }
}
