import fc from 'fast-check';
import {
  DEFAULT_RETRY_CONFIG,
  isRetryable,
  TransactionOptionError,
  TransientDatabaseError,
} from '../../src';
import {
  mergeRetryConfig,
  retryDelay,
  retrySettings,
  type RetrySettings,
} from '../../src/transactions/retry-policy';

const settings = (overrides: Partial<RetrySettings> = {}): RetrySettings => ({
  ...DEFAULT_RETRY_CONFIG,
  ...overrides,
});

describe('retryDelay', () => {
  it('grows by exponentialBase from initialDelayMs without jitter', () => {
    const s = settings({ initialDelayMs: 10, exponentialBase: 3, maxDelayMs: 10_000, jitter: 0 });
    expect([1, 2, 3, 4].map((n) => retryDelay(n, s))).toEqual([10, 30, 90, 270]);
  });

  it('never exceeds maxDelayMs', () => {
    const s = settings({ initialDelayMs: 100, exponentialBase: 2, maxDelayMs: 250, jitter: 0 });
    expect([1, 2, 3, 10, 1000].map((n) => retryDelay(n, s))).toEqual([100, 200, 250, 250, 250]);
  });

  it('draws the jitter fraction below the ceiling: random 0 gives the ceiling, near 1 its floor', () => {
    const s = settings({ initialDelayMs: 40, exponentialBase: 2, maxDelayMs: 1000, jitter: 0.25 });
    expect(retryDelay(2, s, () => 0)).toBe(80);
    expect(retryDelay(2, s, () => 0.5)).toBe(70);
    expect(retryDelay(2, s, () => 0.999_999)).toBeCloseTo(60, 3);
  });

  it('stays within [ceiling · (1 - jitter), ceiling] for any settings and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, initialDelayMs, maxDelayMs, exponentialBase, jitter, draw) => {
          const s = settings({ initialDelayMs, maxDelayMs, exponentialBase, jitter });
          const ceiling = Math.min(maxDelayMs, initialDelayMs * exponentialBase ** (retry - 1));
          const delay = retryDelay(retry, s, () => draw);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
          expect(delay).toBeGreaterThanOrEqual(ceiling * (1 - jitter) - 1e-9);
          expect(delay).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('with full jitter (the default) spreads below the ceiling with Math.random', () => {
    const s = settings({ initialDelayMs: 20, maxDelayMs: 1000 });
    const delays = Array.from({ length: 500 }, () => retryDelay(3, s));
    expect(Math.max(...delays)).toBeLessThanOrEqual(80);
    expect(Math.min(...delays)).toBeGreaterThan(0);
    expect(new Set(delays).size).toBeGreaterThan(400); // drawn, not fixed
  });
});

describe('retrySettings', () => {
  it('fills unset fields with the defaults and turns jitter into a fraction', () => {
    expect(retrySettings(undefined)).toEqual(DEFAULT_RETRY_CONFIG);
    expect(retrySettings({ maxRetries: 0, jitter: false })).toEqual({
      ...DEFAULT_RETRY_CONFIG,
      maxRetries: 0,
      jitter: 0,
    });
    expect(retrySettings({ jitter: true }).jitter).toBe(1);
    expect(retrySettings({ jitter: 0.3 }).jitter).toBe(0.3);
  });

  it.each([
    [{ maxRetries: -1 }, 'retry.maxRetries'],
    [{ maxRetries: 2.5 }, 'retry.maxRetries'],
    [{ maxRetries: Number.POSITIVE_INFINITY }, 'retry.maxRetries'],
    [{ initialDelayMs: -5 }, 'retry.initialDelayMs'],
    [{ maxDelayMs: Number.NaN }, 'retry.maxDelayMs'],
    [{ exponentialBase: 0.9 }, 'retry.exponentialBase'],
    [{ jitter: 1.5 }, 'retry.jitter'],
    [{ jitter: 'yes' }, 'retry.jitter'],
    [{ maxRetries: '3' }, 'retry.maxRetries'],
  ])('refuses %p naming %s', (config, option) => {
    expect(() => retrySettings(config as never)).toThrow(TransactionOptionError);
    expect(() => retrySettings(config as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSACTION_OPTION', option }),
    );
  });
});

describe('mergeRetryConfig', () => {
  it("takes a call's fields over the repository's, ignoring undefined ones", () => {
    expect(
      mergeRetryConfig({ maxRetries: 5, initialDelayMs: 1 }, { maxRetries: undefined }),
    ).toEqual({ maxRetries: 5, initialDelayMs: 1 });
    expect(mergeRetryConfig({ maxRetries: 5 }, { maxRetries: 0, jitter: false })).toEqual({
      maxRetries: 0,
      jitter: false,
    });
    expect(mergeRetryConfig(undefined, { maxRetries: 1 })).toEqual({ maxRetries: 1 });
    expect(mergeRetryConfig({ maxRetries: 1 }, undefined)).toEqual({ maxRetries: 1 });
  });
});

describe('isRetryable', () => {
  it('is true only for a transient error that certainly left nothing applied', () => {
    expect(isRetryable(new TransientDatabaseError('DEADLOCK', 'not-applied', 'x'))).toBe(true);
    expect(isRetryable(new TransientDatabaseError('DATABASE_BUSY', 'not-applied', 'x'))).toBe(true);
    expect(isRetryable(new TransientDatabaseError('CONNECTION_LOST', 'unknown', 'x'))).toBe(false);
    expect(isRetryable(new Error('deadlock'))).toBe(false);
    expect(isRetryable({ code: 'DEADLOCK', outcome: 'not-applied' })).toBe(false);
  });
});
