/** How long to wait between attempts; see `LockingBehaviour` for each field's meaning. */
export interface BackoffSettings {
  readonly retryDelayMs: number;
  readonly backoffMultiplier: number;
  readonly maxRetryDelayMs: number;
  /** Fraction of the ceiling that is drawn at random, 0…1. */
  readonly jitter: number;
}

/**
 * The pause before retry number `retry` (1 for the first retry), in milliseconds: an exponential
 * ceiling `retryDelayMs · backoffMultiplier^(retry-1)`, capped at `maxRetryDelayMs`, of which the
 * `jitter` fraction is drawn uniformly at random (jitter 1 is "full jitter": 0…ceiling).
 */
export function backoffDelay(
  retry: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const { retryDelayMs, backoffMultiplier, maxRetryDelayMs, jitter } = settings;
  const ceiling = Math.min(maxRetryDelayMs, retryDelayMs * backoffMultiplier ** (retry - 1));
  return ceiling * (1 - jitter * random());
}

/** Resolves after `ms` milliseconds (at once for 0). */
export function pause(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
