import type { CacheConfig } from '../cache/cache-config';
import { EntityCache } from '../cache/entity-cache';
import { booleanFlag, positiveNumber } from '../config/option-checks';
import { warmingSettings, type WarmingSettings } from './cache-warmer';
import { QueryUsageTracker } from './query-usage-tracker';
import { LocalWarmLock, RedisWarmLock, type WarmLock } from './warm-lock';

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
  const { redis, keyPrefix = 'tbr:' } = config.store;
  const usage = settings.trackUsage
    ? new QueryUsageTracker({
        namespace: cache.namespace,
        redis,
        keyPrefix,
        windowSeconds: settings.warmIntervalSeconds,
      })
    : undefined;
  const lockKey = `${keyPrefix}{${cache.namespace}}#warm-lock`;
  const lock = redis ? new RedisWarmLock(redis, lockKey) : new LocalWarmLock(config.store, lockKey);
  return { cache, usage, settings, lock };
}
