import { randomUUID } from 'node:crypto';
import type { WarmingCoordination } from '../cache/warming-coordination';

/**
 * "Only one instance warms per interval", for one namespace: whoever takes the lock first warms,
 * and the lock lives for the interval, so the others skip until the next one. Who "the others"
 * are is the coordination's scope: the fleet, or this process.
 */
export class WarmLock {
  constructor(
    private readonly coordination: WarmingCoordination,
    private readonly namespace: string,
  ) {}

  /** A token when this instance got the lock for `ttlMs`, `undefined` when another holds it. */
  async acquire(ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    const taken = await this.coordination.acquireWarmLock(this.namespace, token, ttlMs);
    return taken ? token : undefined;
  }

  /** Gives the lock back (after a failed run, so another instance may try). */
  release(token: string): Promise<void> {
    return this.coordination.releaseWarmLock(this.namespace, token);
  }

  /** Whether any instance holds the lock now. */
  held(): Promise<boolean> {
    return this.coordination.isWarmLockHeld(this.namespace);
  }
}
