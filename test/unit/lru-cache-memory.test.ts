import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigurationError, LruCacheStore } from '../../src';

/**
 * maxBytes bounds the heap an LruCacheStore really holds: the key, the slot, lru-cache's arrays and
 * Map entry, not only the value. Each case fills a store in its own process (with --expose-gc) and
 * reports heapUsed against an empty baseline.
 */
describe('LruCacheStore memory bound', () => {
  const MAX_BYTES = 8 * 1024 * 1024;

  function measure(name: string, max?: number) {
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '-r',
        'ts-node/register/transpile-only',
        join(__dirname, '..', 'support', 'lru-memory-child.ts'),
        name,
        String(MAX_BYTES),
        ...(max === undefined ? [] : [String(max)]),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (child.status !== 0) throw new Error(`child ${name} failed: ${child.stderr}`);
    return JSON.parse(child.stdout) as { delta: number; held: number; count: number };
  }

  it('100,000 small entries hold at most 1.5 x maxBytes, and fill at least 0.4 x', () => {
    const { delta, held } = measure('small');
    expect(delta).toBeLessThanOrEqual(1.5 * MAX_BYTES);
    // Eviction by an overestimate, or by an entry-count default, must not leave the budget unused.
    expect(delta).toBeGreaterThanOrEqual(0.4 * MAX_BYTES);
    expect(held).toBeGreaterThan(0);
  });

  it('with max 100,000 too, the preallocated slots count against maxBytes', () => {
    const { delta, held } = measure('small', 100_000);
    expect(delta).toBeLessThanOrEqual(1.5 * MAX_BYTES);
    expect(held).toBeGreaterThan(0);
  });

  // Latin-1 text is stored one byte a character but estimated at two, so it fills about half.
  it.each([
    ['large-ascii', 0.25],
    ['large-non-ascii', 0.4],
  ])('2 KB strings (%s) hold at most 1.5 x maxBytes, and fill at least %d x', (name, least) => {
    const { delta, held, count } = measure(name);
    expect(delta).toBeLessThanOrEqual(1.5 * MAX_BYTES);
    expect(delta).toBeGreaterThanOrEqual(least * MAX_BYTES);
    expect(held).toBeLessThan(count);
  });

  it('refuses a max whose preallocation leaves nothing of maxBytes', () => {
    expect(() => new LruCacheStore({ max: 1_000_000, maxBytes: MAX_BYTES })).toThrow(
      ConfigurationError,
    );
    expect(() => new LruCacheStore({ max: 100_000, maxBytes: MAX_BYTES })).not.toThrow();
  });
});
