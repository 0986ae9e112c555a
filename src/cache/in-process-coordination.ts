import type { WarmingCoordination } from './warming-coordination';

interface HeldLock {
  readonly token: string;
  readonly until: number;
}

/** Warm locks by the store they were made for: repositories sharing a store share its locks. */
const LOCKS = new WeakMap<object, Map<string, HeldLock>>();

/**
 * Warming coordinated in this process only, for a store that offers no coordination (the
 * in-process `LruCacheStore`, or a store of your own without one). The usage counts are this
 * object's own (a repository gets one, so its counts are its own); the warm lock is shared by
 * every coordination made for the same store object. Other processes see neither.
 */
export class InProcessWarmingCoordination implements WarmingCoordination {
  readonly scope = 'process';
  /** namespace → window number → read → count; windows older than the previous one are dropped. */
  readonly #windows = new Map<string, Map<number, Map<string, number>>>();
  readonly #locks: Map<string, HeldLock>;

  constructor(lockOwner: object) {
    let locks = LOCKS.get(lockOwner);
    if (!locks) LOCKS.set(lockOwner, (locks = new Map()));
    this.#locks = locks;
  }

  addUsage(
    namespace: string,
    window: number,
    _windowMs: number,
    counts: ReadonlyMap<string, number>,
  ): Promise<void> {
    let windows = this.#windows.get(namespace);
    if (!windows) this.#windows.set(namespace, (windows = new Map()));
    let current = windows.get(window);
    if (!current) windows.set(window, (current = new Map()));
    for (const [spec, n] of counts) current.set(spec, (current.get(spec) ?? 0) + n);
    for (const old of windows.keys()) if (old < window - 1) windows.delete(old);
    return Promise.resolve();
  }

  readUsage(namespace: string, windows: readonly number[]): Promise<Map<string, number>> {
    const total = new Map<string, number>();
    for (const window of windows) {
      for (const [spec, n] of this.#windows.get(namespace)?.get(window) ?? [])
        total.set(spec, (total.get(spec) ?? 0) + n);
    }
    return Promise.resolve(total);
  }

  acquireWarmLock(namespace: string, token: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const current = this.#locks.get(namespace);
    if (current && current.until > now) return Promise.resolve(false);
    this.#locks.set(namespace, { token, until: now + ttlMs });
    return Promise.resolve(true);
  }

  releaseWarmLock(namespace: string, token: string): Promise<void> {
    if (this.#locks.get(namespace)?.token === token) this.#locks.delete(namespace);
    return Promise.resolve();
  }

  isWarmLockHeld(namespace: string): Promise<boolean> {
    const current = this.#locks.get(namespace);
    return Promise.resolve(current !== undefined && current.until > Date.now());
  }
}
