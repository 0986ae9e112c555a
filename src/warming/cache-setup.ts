import type { CacheConfig } from '../cache/cache-config';
import { EntityCache } from '../cache/entity-cache';
import { booleanFlag, positiveNumber } from '../config/option-checks';
import { warmingSettings, type WarmingSettings } from './cache-warmer';
import { QueryUsageTracker } from './query-usage-tracker';
import { WarmLock } from './warm-lock';

/** The caching parts a repository is built with. */
export interface CacheSetup {
  readonly cache: EntityCache;
  readonly usage: QueryUsageTracker | undefined;
  readonly settings: WarmingSettings;
  readonly lock: WarmLock;
}

/** Checks a `cache` option and builds the entity cache, its usage tracker and its warm lock. */
export function setUpCache(config: CacheConfig, tableName: string): CacheSetup {
  const cache = new EntityCache(config, tableName);
  const settings = warmingSettings(config.warming);
  for (const name of ['popularQueriesLimit', 'minUsageCount', 'warmIntervalSeconds'] as const) {
    positiveNumber(`cache.warming.${name}`, settings[name]);
  }
  booleanFlag('cache.warming.enabled', settings.enabled);
  booleanFlag('cache.warming.trackUsage', settings.trackUsage);
  // The store's coordination, or this process's when it has none (cacheMetrics() says which).
  const { coordination, namespace } = cache;
  const usage = settings.trackUsage
    ? new QueryUsageTracker({
        namespace,
        coordination,
        windowSeconds: settings.warmIntervalSeconds,
      })
    : undefined;
  const lock = new WarmLock(coordination, namespace);
  return { cache, usage, settings, lock };
}
