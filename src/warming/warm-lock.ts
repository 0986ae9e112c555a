import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** Releases the lock only if it is still ours: a lock that expired and was taken is left alone. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * "Only one instance warms per interval": whoever sets the key first (SET NX PX) warms, and the
 * key lives for the interval, so the others skip until the next one. Without Redis the lock
 * belongs to the in-process store.
 */
export interface WarmLock {
  /** A token when this instance got the lock for `ttlMs`, `undefined` when another holds it. */
  acquire(ttlMs: number): Promise<string | undefined>;
  /** Gives the lock back (after a failed run, so another instance may try). */
  release(token: string): Promise<void>;
  /** Whether any instance holds the lock now. */
  held(): Promise<boolean>;
}

export class RedisWarmLock implements WarmLock {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly key: string,
  ) {}

  async acquire(ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    const reply = await this.redis.set(this.key, token, 'PX', Math.max(1, ttlMs), 'NX');
    return reply === 'OK' ? token : undefined;
  }

  async release(token: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key, token);
  }

  async held(): Promise<boolean> {
    return (await this.redis.exists(this.key)) === 1;
  }
}

/** Local locks live with their store: repositories sharing an in-process store share its lock. */
const LOCAL_LOCKS = new WeakMap<object, Map<string, { token: string; until: number }>>();

export class LocalWarmLock implements WarmLock {
  readonly #locks: Map<string, { token: string; until: number }>;

  constructor(
    owner: object,
    private readonly key: string,
  ) {
    let locks = LOCAL_LOCKS.get(owner);
    if (!locks) LOCAL_LOCKS.set(owner, (locks = new Map()));
    this.#locks = locks;
  }

  acquire(ttlMs: number): Promise<string | undefined> {
    const now = Date.now();
    const current = this.#locks.get(this.key);
    if (current && current.until > now) return Promise.resolve(undefined);
    const token = randomUUID();
    this.#locks.set(this.key, { token, until: now + ttlMs });
    return Promise.resolve(token);
  }

  release(token: string): Promise<void> {
    if (this.#locks.get(this.key)?.token === token) this.#locks.delete(this.key);
    return Promise.resolve();
  }

  held(): Promise<boolean> {
    const current = this.#locks.get(this.key);
    return Promise.resolve(current !== undefined && current.until > Date.now());
  }
}
