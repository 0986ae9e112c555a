import type { CacheRef, SharedCacheTier } from '../../src';
import { CONTRACT_STORE_KINDS, openStore, type OpenStore } from '../support/cache-stores';

// The store contract, on each store (one of them written outside the library, on node-redis):
// typed round trips and leases that a write revokes.
describe.each(CONTRACT_STORE_KINDS)('the %s store', (kind) => {
  let open: OpenStore;
  beforeEach(async () => {
    open = await openStore(kind);
  });
  afterEach(() => open.close());

  const row = (key: string): CacheRef => ({ namespace: 'ns', scope: 'row', key });
  const query = (key: string): CacheRef => ({ namespace: 'ns', scope: 'query', key });

  async function fillFresh(ref: CacheRef, value: unknown): Promise<boolean> {
    const read = await open.store.read(ref);
    return open.store.fill(ref, read.lease!, value, 60_000);
  }

  it('round-trips Date, bigint, Buffer, decimal strings and null with their types', async () => {
    const value = {
      at: new Date('2026-11-25T10:11:12.345Z'),
      big: 9_007_199_254_740_993n,
      bytes: Buffer.from([0, 1, 254, 255]),
      price: '12345.6700',
      none: null,
      nested: [{ when: new Date(0), $t: 'looks like a tag' }],
      text: 'naïve – ünïcode | pipes',
    };
    expect(await fillFresh(row('id:1'), value)).toBe(true);
    const read = await open.store.read(row('id:1'));
    expect(read.hit).toBe(true);
    const got = (read as { value: typeof value }).value;
    expect(got).toEqual(value);
    expect(got.at).toBeInstanceOf(Date);
    expect(typeof got.big).toBe('bigint');
    expect(Buffer.isBuffer(got.bytes)).toBe(true);
    expect(typeof got.price).toBe('string');
    expect(got.none).toBeNull();
  });

  it('caches null and numbers', async () => {
    await fillFresh(row('id:2'), null);
    await fillFresh(query('count:x'), 42);
    expect(await open.store.read(row('id:2'))).toMatchObject({ hit: true, value: null });
    expect(await open.store.read(query('count:x'))).toMatchObject({ hit: true, value: 42 });
  });

  it('refuses a fill leased before an invalidation of the same row', async () => {
    const leased = await open.store.read(row('id:3'));
    await open.store.invalidate({ namespace: 'ns', rowKeys: ['id:3'] });
    expect(await open.store.fill(row('id:3'), leased.lease!, { stale: true }, 60_000)).toBe(false);
    expect((await open.store.read(row('id:3'))).hit).toBe(false);
  });

  it('refuses a fill leased before any write to the namespace', async () => {
    const leasedRow = await open.store.read(row('id:4'));
    const leasedQuery = await open.store.read(query('list:a'));
    await open.store.invalidate({ namespace: 'ns', rowKeys: ['id:99'] });
    expect(await open.store.fill(row('id:4'), leasedRow.lease!, 1, 60_000)).toBe(false);
    expect(await open.store.fill(query('list:a'), leasedQuery.lease!, [], 60_000)).toBe(false);
  });

  it('evicts the named rows and every query; other rows stay', async () => {
    await fillFresh(row('id:5'), 'five');
    await fillFresh(row('id:6'), 'six');
    await fillFresh(query('list:b'), ['x']);
    await open.store.invalidate({ namespace: 'ns', rowKeys: ['id:5'] });
    expect((await open.store.read(row('id:5'))).hit).toBe(false);
    expect((await open.store.read(row('id:6'))).hit).toBe(true);
    expect((await open.store.read(query('list:b'))).hit).toBe(false);
    await open.store.invalidate({ namespace: 'ns', rowKeys: undefined });
    expect((await open.store.read(row('id:6'))).hit).toBe(false);
  });

  it('keeps namespaces apart', async () => {
    const other: CacheRef = { namespace: 'other', scope: 'row', key: 'id:7' };
    await fillFresh(other, 'kept');
    await open.store.invalidate({ namespace: 'ns', rowKeys: undefined });
    expect((await open.store.read(other)).hit).toBe(true);
  });

  it('clears by pattern', async () => {
    await fillFresh(query('list:1'), 1);
    await fillFresh(query('count:1'), 2);
    await fillFresh(row('id:8'), 3);
    expect(await open.store.clear('ns', 'list:*')).toBeGreaterThanOrEqual(1);
    expect((await open.store.read(query('list:1'))).hit).toBe(false);
    expect((await open.store.read(row('id:8'))).hit).toBe(true);
    await open.store.clear('ns');
    expect((await open.store.read(row('id:8'))).hit).toBe(false);
  });
});

// What a TieredCacheStore needs of its L2 besides the store contract: a channel between processes.
const SHARED_KINDS = CONTRACT_STORE_KINDS.filter(
  (kind) => kind === 'redis' || kind === 'node-redis',
);

describe.each(SHARED_KINDS)('the %s store as a shared tier', (kind) => {
  it('tells a subscriber when it is up, then delivers what is published on its channel', async () => {
    const open = await openStore(kind);
    const tier = open.store as SharedCacheTier;
    const channel = `${open.prefix}channel`;
    let up!: () => void;
    let received!: (text: string) => void;
    const subscribed = new Promise<void>((resolve) => (up = resolve));
    const message = new Promise<string>((resolve) => (received = resolve));
    const subscription = tier.subscribe(channel, { message: received, up, down: () => {} });
    try {
      await within(subscribed, 'the subscription to come up');
      expect(await tier.publish(channel, 'evict emp id:1')).toBe(true);
      expect(await within(message, 'the message')).toBe('evict emp id:1');
    } finally {
      await subscription.close();
      await open.close();
    }
  });
});

/** `promise`, or a failure naming `what` after 5 s (a bound, not a synchronisation). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited 5 s for ${what}`)), 5000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
