import type { WarmingConfig } from '../cache/cache-config';
import type { EntityCache } from '../cache/entity-cache';
import type { PopularQuery, QueryUsageTracker } from './query-usage-tracker';
import type { WarmLock } from './warm-lock';

/** The warming settings with their defaults applied. */
export type WarmingSettings = Required<WarmingConfig>;

export function warmingSettings(config: WarmingConfig | undefined): WarmingSettings {
  return {
    enabled: config?.enabled ?? false,
    popularQueriesLimit: config?.popularQueriesLimit ?? 10,
    minUsageCount: config?.minUsageCount ?? 5,
    warmIntervalSeconds: config?.warmIntervalSeconds ?? 3600,
    trackUsage: config?.trackUsage ?? config?.enabled ?? false,
  };
}

export interface WarmReport {
  /** Queries re-run and stored. */
  readonly warmed: number;
  /** Queries whose fresh result was not stored because a write happened meanwhile. */
  readonly superseded: number;
  readonly failed: number;
  readonly durationMs: number;
}

/**
 * Re-runs an entity's popular queries and stores fresh results, on demand or on an unref'd timer.
 * Each result is stored through the same conditional fill as a read, so a warm never writes a
 * result older than a concurrent write. On the timer, the coordination's lock lets one instance
 * warm per interval (one in the fleet, or one in the process when the store has no coordination).
 */
export class CacheWarmer {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cache: EntityCache,
    private readonly tracker: QueryUsageTracker | undefined,
    private readonly settings: WarmingSettings,
    private readonly lock: WarmLock,
    /** Re-runs one query from the database; resolves to whether its result was stored. */
    private readonly rerun: (query: PopularQuery) => Promise<boolean>,
  ) {}

  popular(): Promise<PopularQuery[]> {
    if (!this.tracker) return Promise.resolve([]);
    return this.tracker.popular(this.settings.popularQueriesLimit, this.settings.minUsageCount);
  }

  async warm(): Promise<WarmReport> {
    const started = performance.now();
    let warmed = 0;
    let superseded = 0;
    let failed = 0;
    for (const query of await this.popular()) {
      try {
        if (await this.rerun(query)) warmed++;
        else superseded++;
      } catch {
        failed++; // a query that no longer runs (a dropped column) must not stop the others
      }
    }
    const durationMs = performance.now() - started;
    const previous = this.cache.warm;
    this.cache.warm = {
      ...previous,
      runs: previous.runs + 1,
      queriesWarmed: previous.queriesWarmed + warmed,
      lastDurationMs: durationMs,
      lastRunAt: new Date(),
    };
    // Marks the interval as warmed for the fleet (already so when the scheduler took the lock).
    await this.lock.acquire(this.#lockMs()).catch(() => undefined);
    return { warmed, superseded, failed, durationMs };
  }

  /** Whether a warm is due: warming is enabled and no instance has warmed this interval. */
  async due(): Promise<boolean> {
    return this.settings.enabled && !(await this.lock.held());
  }

  /**
   * Warms if no instance has this interval, holding the lock for the interval; resolves to the
   * report, or `undefined` when another instance had the lock.
   */
  async warmIfDue(): Promise<WarmReport | undefined> {
    const token = await this.lock.acquire(this.#lockMs());
    if (!token) return undefined;
    try {
      return await this.warm();
    } catch (error) {
      await this.lock.release(token); // let another instance try this interval
      throw error;
    }
  }

  /**
   * Warms now (if due) and then every interval; a no-op unless warming is enabled. Resolves after
   * the first attempt.
   */
  async start(): Promise<WarmReport | undefined> {
    if (this.#timer || !this.settings.enabled) return undefined;
    const tick = () => this.warmIfDue().catch(() => undefined);
    this.#timer = setInterval(() => void tick(), this.settings.warmIntervalSeconds * 1000);
    this.#timer.unref();
    return tick();
  }

  /** Held for 90% of the interval, so that it has expired when this instance's next tick comes. */
  #lockMs(): number {
    return this.settings.warmIntervalSeconds * 900;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
