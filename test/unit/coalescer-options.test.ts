import {
  coalescerOptionsFromEnv,
  ConfigurationError,
  DEFAULT_COALESCER_OPTIONS,
  WriteCoalescer,
} from '../../src';
import { resolveCoalescerOptions } from '../../src/coalescing/coalescer-options';

describe('resolveCoalescerOptions', () => {
  it('fills in the defaults and ignores undefined fields', () => {
    expect(resolveCoalescerOptions({ maxWaitMs: undefined })).toEqual(DEFAULT_COALESCER_OPTIONS);
    expect(resolveCoalescerOptions({ maxBatchSize: 10 })).toEqual({
      ...DEFAULT_COALESCER_OPTIONS,
      maxBatchSize: 10,
    });
  });

  it.each([
    [{ maxBatchSize: 0 }, 'coalescer.maxBatchSize must be a positive integer, got 0'],
    [{ maxBatchSize: 1.5 }, 'coalescer.maxBatchSize must be a positive integer, got 1.5'],
    [{ minBatchSize: -1 }, 'coalescer.minBatchSize must be a positive integer, got -1'],
    [{ maxPending: Number.NaN }, 'coalescer.maxPending must be a positive integer, got NaN'],
    [{ maxWaitMs: -1 }, 'coalescer.maxWaitMs must be a finite number ≥ 0, got -1'],
    [{ maxWaitMs: Infinity }, 'coalescer.maxWaitMs must be a finite number ≥ 0, got Infinity'],
    [{ enabled: 'yes' as never }, 'coalescer.enabled must be a boolean, got "yes"'],
    [
      { minBatchSize: 20, maxBatchSize: 10 },
      'coalescer.minBatchSize (20) cannot exceed maxBatchSize (10)',
    ],
    [
      { maxPending: 5, maxBatchSize: 10 },
      'coalescer.maxPending (5) must be at least maxBatchSize (10)',
    ],
  ])('refuses %j at construction', (options, message) => {
    expect(() => new WriteCoalescer(options)).toThrow(ConfigurationError);
    expect(() => new WriteCoalescer(options)).toThrow(message);
  });

  it('accepts maxWaitMs 0 and minBatchSize 1 (every group batched)', () => {
    expect(new WriteCoalescer({ maxWaitMs: 0, minBatchSize: 1 }).options).toMatchObject({
      maxWaitMs: 0,
      minBatchSize: 1,
    });
  });
});

describe('coalescerOptionsFromEnv', () => {
  it('maps BATCHED_CREATE_ENABLED and INSERT_BATCH_SIZE onto enabled and maxBatchSize', () => {
    expect(
      coalescerOptionsFromEnv({ BATCHED_CREATE_ENABLED: 'true', INSERT_BATCH_SIZE: '50' }),
    ).toEqual({ enabled: true, maxBatchSize: 50 });
    expect(coalescerOptionsFromEnv({ BATCHED_CREATE_ENABLED: 'FALSE' })).toEqual({
      enabled: false,
    });
    expect(coalescerOptionsFromEnv({ BATCHED_CREATE_ENABLED: '1' })).toEqual({ enabled: true });
    expect(coalescerOptionsFromEnv({ BATCHED_CREATE_ENABLED: '0' })).toEqual({ enabled: false });
  });

  it('leaves unset and empty variables out, so defaults and explicit options stay', () => {
    expect(coalescerOptionsFromEnv({})).toEqual({});
    expect(coalescerOptionsFromEnv({ BATCHED_CREATE_ENABLED: '', INSERT_BATCH_SIZE: '' })).toEqual(
      {},
    );
  });

  it.each([
    [
      { BATCHED_CREATE_ENABLED: 'yes' },
      'BATCHED_CREATE_ENABLED must be true, false, 1 or 0, got "yes"',
    ],
    [{ BATCHED_CREATE_ENABLED: 'constructor' }, 'BATCHED_CREATE_ENABLED'],
    [{ INSERT_BATCH_SIZE: '0' }, 'INSERT_BATCH_SIZE must be a positive integer, got "0"'],
    [{ INSERT_BATCH_SIZE: '10.5' }, 'INSERT_BATCH_SIZE must be a positive integer'],
    [{ INSERT_BATCH_SIZE: '1e3' }, 'INSERT_BATCH_SIZE must be a positive integer'],
    [{ INSERT_BATCH_SIZE: 'ten' }, 'INSERT_BATCH_SIZE must be a positive integer'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => coalescerOptionsFromEnv(env)).toThrow(ConfigurationError);
    expect(() => coalescerOptionsFromEnv(env)).toThrow(message);
  });

  it('reads nothing unless called: a coalescer built without it ignores the environment', () => {
    const saved = process.env.INSERT_BATCH_SIZE;
    process.env.INSERT_BATCH_SIZE = '7';
    try {
      expect(new WriteCoalescer().options.maxBatchSize).toBe(
        DEFAULT_COALESCER_OPTIONS.maxBatchSize,
      );
      expect(new WriteCoalescer(coalescerOptionsFromEnv()).options.maxBatchSize).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.INSERT_BATCH_SIZE;
      else process.env.INSERT_BATCH_SIZE = saved;
    }
  });
});
