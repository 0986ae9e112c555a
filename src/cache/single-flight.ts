/**
 * Concurrent identical cache misses in one process share one load. The key includes the cache
 * state the miss observed (its lease), so a read that starts after a write's invalidation never
 * joins a load that started before it. An entry stays until its fill has landed, so a read right
 * after a miss joins it instead of missing again.
 */
export class SingleFlight {
  readonly #flights = new Map<string, Promise<unknown>>();
  joins = 0;

  /** The value of the load in flight under `key`, if any. */
  join(key: string): Promise<unknown> | undefined {
    const pending = this.#flights.get(key);
    if (pending) this.joins++;
    return pending;
  }

  /** Registers `value` under `key` until `settled` (the fill) is done. */
  start(key: string, value: Promise<unknown>, settled: Promise<unknown>): void {
    this.#flights.set(key, value);
    const forget = () => {
      if (this.#flights.get(key) === value) this.#flights.delete(key);
    };
    settled.then(forget, forget);
  }
}
