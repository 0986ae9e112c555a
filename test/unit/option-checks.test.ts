import Redis from 'ioredis';
import {
  ConfigurationError,
  LockingOptionError,
  LruCacheStore,
  OptionError,
  QueryError,
  RedisCacheStore,
  TieredCacheStore,
} from '../../src';
import {
  booleanFlag,
  callback,
  finiteAtLeast,
  flagText,
  fraction,
  given,
  jitterFraction,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  positiveIntegerText,
  positiveNumber,
} from '../../src/config/option-checks';

/** What `run` threw. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('option checks', () => {
  it.each<[string, (value: unknown) => unknown, unknown[], unknown[]]>([
    ['positiveInteger', (v) => positiveInteger('o', v), [1, 2 ** 53 - 1], [0, -1, 1.5, NaN, '1']],
    ['nonNegativeInteger', (v) => nonNegativeInteger('o', v), [0, 7], [-1, 0.5, Infinity, '0']],
    ['positiveNumber', (v) => positiveNumber('o', v), [0.1, Infinity], [0, -1, NaN, '5']],
    ['finiteAtLeast 1', (v) => finiteAtLeast('o', v, 1), [1, 2.5], [0.9, Infinity, NaN, '2']],
    ['fraction', (v) => fraction('o', v), [0, 0.5, 1], [-0.1, 1.1, NaN, true]],
    ['jitterFraction', (v) => jitterFraction('o', v), [0, 0.3, 1], [2, 'yes', null]],
    ['booleanFlag', (v) => booleanFlag('o', v), [true, false], ['false', 0, null]],
    ['callback', (v) => callback('o', v), [() => 1], [{}, 'f', null]],
    ['oneOf', (v) => oneOf('o', v, ['a', true]), ['a', true], ['b', 'constructor', false]],
  ])('%s accepts its values and refuses the others, naming the option', (_name, check, ok, bad) => {
    for (const value of ok) expect(check(value)).toBe(value);
    for (const value of bad) {
      const error = thrown(() => check(value));
      expect(error).toBeInstanceOf(OptionError);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ code: 'INVALID_CONFIGURATION', option: 'o', actual: value });
    }
  });

  it('jitterFraction reads true as 1 and false as 0', () => {
    expect([jitterFraction('o', true), jitterFraction('o', false)]).toEqual([1, 0]);
  });

  it('reads environment integers and flags, refusing anything but decimal digits', () => {
    expect(positiveIntegerText('N', ' 12 ')).toBe(12);
    for (const text of ['0', '1e3', '0x10', '1.5', '-3', 'ten', '9007199254740993']) {
      expect(thrown(() => positiveIntegerText('N', text))).toMatchObject({
        option: 'N',
        message: `N must be a positive integer, got ${JSON.stringify(text)}`,
      });
    }
    expect([flagText('F', 'TRUE'), flagText('F', '0')]).toEqual([true, false]);
    expect(thrown(() => flagText('F', 'yes'))).toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });

  it('raises the error of the family it is given', () => {
    const locking = thrown(() => positiveInteger('maxRetries', -1, LockingOptionError.invalid));
    expect(locking).toBeInstanceOf(LockingOptionError);
    expect(locking).toMatchObject({ code: 'INVALID_LOCKING_OPTION', name: 'LockingOptionError' });
    const query = thrown(() => oneOf('fetch', 'x', ['all'], QueryError.invalidOption));
    expect(query).toBeInstanceOf(QueryError);
    expect(query).toMatchObject({ code: 'QUERY_INVALID_OPTION', subject: 'fetch' });
  });

  it('given() skips an option not given', () => {
    expect(given(undefined, (v) => positiveInteger('o', v))).toBeUndefined();
    expect(() => given(null, (v) => positiveInteger('o', v))).toThrow(OptionError);
  });
});

describe('the cache stores check their options at construction', () => {
  const redis = new Redis({ lazyConnect: true });
  afterAll(() => redis.disconnect());

  it.each<[string, () => unknown]>([
    ['LruCacheStore.max', () => new LruCacheStore({ max: -1 })],
    ['LruCacheStore.max', () => new LruCacheStore({ max: 1.5 })],
    [
      'RedisCacheStore.commandTimeoutMs',
      () => new RedisCacheStore(redis, { commandTimeoutMs: -1 }),
    ],
    [
      'RedisCacheStore.connectTimeoutMs',
      () => new RedisCacheStore(redis, { connectTimeoutMs: NaN }),
    ],
    ['RedisCacheStore.warn', () => new RedisCacheStore(redis, { warn: 'log' as never })],
    [
      'TieredCacheStore.l1TtlSeconds',
      () => new TieredCacheStore(new LruCacheStore(), null as never, { l1TtlSeconds: 0 }),
    ],
  ])('%s', (option, construct) => {
    const error = thrown(construct);
    expect(error).toBeInstanceOf(OptionError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIGURATION', option });
  });
});
