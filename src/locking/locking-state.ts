import { LockMetrics } from './lock-metrics';
import {
  checkCount,
  DEFAULT_CONFLICT_HISTORY_SIZE,
  DEFAULT_LOCKING_SETTINGS,
  resolveLockingSettings,
  type LockingConfig,
  type LockingSettings,
} from './locking-options';

/**
 * A repository's optimistic-locking defaults, checked once at construction, and its metrics.
 * Held by the repository (its build), so every manager it is bound to shares it.
 */
export class LockingState {
  readonly settings: LockingSettings;
  readonly metrics: LockMetrics;

  constructor(config: LockingConfig = {}) {
    this.settings = resolveLockingSettings(config, DEFAULT_LOCKING_SETTINGS, 'locking.');
    const historySize =
      checkCount('locking.conflictHistorySize', config.conflictHistorySize) ??
      DEFAULT_CONFLICT_HISTORY_SIZE;
    this.metrics = new LockMetrics(historySize);
  }
}
