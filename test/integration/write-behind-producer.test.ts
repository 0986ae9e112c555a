import Redis from 'ioredis';
import {
  ConfigurationError,
  OptionError,
  TenantError,
  ValidationError,
  WriteBehindError,
  type WriteBehindConfig,
} from '../../src';
import { uniquePrefix } from '../support/cache-stores';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository, person, type CreateEmployeeDto } from '../support/employee';
import { REDIS_AVAILABLE, REDIS_URL } from '../support/servers';

/** A stream's entries as XRANGE gives them, fields as a map. */
async function entries(redis: Redis, key: string): Promise<[string, Map<string, string>][]> {
  const raw = (await redis.xrange(key, '-', '+')) as [string, string[]][];
  return raw.map(([id, fields]) => {
    const map = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
    return [id, map];
  });
}

// The producer only validates and appends: one dialect is enough (the drainer runs on all).
(REDIS_AVAILABLE ? describe : describe.skip)('write-behind producer', () => {
  let db: TestDataSource;
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    db = await openDataSource('sqlite', [Employee]);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
    await db.dataSource.destroy();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  /** `count` new entries of `stream`, read for consumer `c` of group `g`. */
  async function readGroup(stream: string, count: number) {
    const read = await redis.xreadgroup('GROUP', 'g', 'c', 'COUNT', count, 'STREAMS', stream, '>');
    return read as [string, [string, string[]][]][];
  }
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  function repository(config: Partial<WriteBehindConfig<Employee>> = {}, extra = {}) {
    return new EmployeeRepository(db.dataSource, {
      writeBehind: { redis, keyPrefix: prefix, ...config },
      ...extra,
    });
  }

  it('appends the validated entry to a hash-tagged stream once Redis acknowledges it, writing nothing to the database', async () => {
    const repo = repository();
    const receipt = await repo.enqueueCreate(person(1, { department: null }));
    expect(receipt.entryId).toMatch(/^\d+-\d+$/);
    expect(receipt.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const stream = `${prefix}{Employee:0}`;
    const stored = await entries(redis, stream);
    expect(stored.map(([id]) => id)).toEqual([receipt.entryId]);
    const fields = stored[0]![1];
    expect(fields.get('k')).toBe(receipt.idempotencyKey);
    expect(fields.get('o')).toBe('c');
    expect(JSON.parse(fields.get('v')!)).toEqual({
      name: 'Pérson 1 名',
      email: 'p1@example.com',
      salary: 1001,
      department: null,
    });
    expect(fields.has('f')).toBe(false);
    expect(await db.dataSource.query('SELECT COUNT(*) AS n FROM employees')).toEqual([{ n: 0 }]);
  });

  it('refuses invalid input with the error create() gives, adding nothing', async () => {
    const repo = repository();
    await expect(repo.enqueueCreate(person(1, { email: 'not-an-email' }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      repo.enqueueCreate({ ...person(2), version: 7 } as CreateEmployeeDto),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      repo.enqueueCreate(person(3), { idempotencyKey: 'x'.repeat(151) }),
    ).rejects.toThrow(OptionError);
    expect(await redis.exists(`${prefix}{Employee:0}`)).toBe(0);
  });

  it('stamps the tenant of the call, and refuses an input naming another', async () => {
    let current = 'acme';
    const repo = repository({}, { tenant: { column: 'tenantId', resolve: () => current } });
    const receipt = await repo.enqueueCreate(person(1), { forceIndividual: true });
    current = 'globex';
    const [[, fields]] = (await entries(redis, `${prefix}{Employee:0}`)) as [
      [string, Map<string, string>],
    ];
    expect(fields.get('k')).toBe(receipt.idempotencyKey);
    expect(fields.get('t')).toBe('acme');
    expect(fields.get('f')).toBe('1');
    expect(JSON.parse(fields.get('v')!).tenantId).toBe('acme');
    await expect(repo.enqueueCreate(person(2, { tenantId: 'acme' }))).rejects.toBeInstanceOf(
      TenantError,
    );
    await expect(repository().enqueueCreate(person(3), { tenantId: 'acme' })).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('spreads keys over `shards` streams on distinct hash tags, the same key always to the same one', async () => {
    const repo = repository({ shards: 4 });
    const keys = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    for (const idempotencyKey of keys) {
      await repo.enqueueCreate(person(keys.indexOf(idempotencyKey)), { idempotencyKey });
    }
    await repo.enqueueCreate(person(0), { idempotencyKey: 'order-0' });
    const lengths = await Promise.all(
      [0, 1, 2, 3].map((n) => redis.xlen(`${prefix}{Employee:${n}}`)),
    );
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(41);
    expect(lengths.every((n) => n > 0)).toBe(true);
    const shardOf = async (key: string) => {
      for (const n of [0, 1, 2, 3]) {
        const found = (await entries(redis, `${prefix}{Employee:${n}}`)).filter(
          ([, f]) => f.get('k') === key,
        );
        if (found.length > 0) return { n, count: found.length };
      }
      return undefined;
    };
    expect((await shardOf('order-0'))?.count).toBe(2);
  });

  it('rejects past maxPending with WRITE_BEHIND_FULL and adds nothing; trims only what the group acknowledged', async () => {
    const repo = repository({ maxPending: 3 });
    const stream = `${prefix}{Employee:0}`;
    for (let i = 0; i < 3; i++) await repo.enqueueCreate(person(i));
    const full = await repo.enqueueCreate(person(3)).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(WriteBehindError);
    expect((full as WriteBehindError).code).toBe('WRITE_BEHIND_FULL');
    expect((full as WriteBehindError).outcome).toBe('not-applied');
    expect(await redis.xlen(stream)).toBe(3);

    // A consumer group reads two and acknowledges one: one slot frees, the unacknowledged stays.
    await redis.xgroup('CREATE', stream, 'g', '0');
    const read = await readGroup(stream, 2);
    const [first, second] = read[0]![1];
    await redis.xack(stream, 'g', first![0]);
    const fourth = await repo.enqueueCreate(person(3));
    const ids = (await entries(redis, stream)).map(([id]) => id);
    expect(ids).toEqual([second![0], expect.any(String), fourth.entryId]);
    await expect(repo.enqueueCreate(person(4))).rejects.toMatchObject({
      code: 'WRITE_BEHIND_FULL',
    });
  });

  it("with whenFull: 'wait', waits until a drainer makes room, then appends", async () => {
    const repo = repository({ maxPending: 2, whenFull: 'wait', fullWaitMs: 10_000 });
    const stream = `${prefix}{Employee:0}`;
    await repo.enqueueCreate(person(0));
    await repo.enqueueCreate(person(1));
    await redis.xgroup('CREATE', stream, 'g', '0');
    let settled = false;
    const waiting = repo.enqueueCreate(person(2)).finally(() => {
      settled = true;
    });
    // It has tried at least once and is still waiting: the stream is unchanged.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    expect(await redis.xlen(stream)).toBe(2);
    const read = await readGroup(stream, 1);
    await redis.xack(stream, 'g', read[0]![1][0]![0]);
    const receipt = await waiting;
    expect((await entries(redis, stream)).map(([id]) => id).at(-1)).toBe(receipt.entryId);

    // The call's own whenFull wins over the repository's.
    await expect(repo.enqueueCreate(person(3), { whenFull: 'reject' })).rejects.toMatchObject({
      code: 'WRITE_BEHIND_FULL',
      message: expect.not.stringContaining('waiting') as unknown,
    });
  });

  it('enqueueUpsert names its conflict target; a target that is not unique fails at construction', async () => {
    const repo = repository({ conflictTarget: ['email'] });
    await repo.enqueueUpsert(person(1));
    const [[, fields]] = (await entries(redis, `${prefix}{Employee:0}`)) as [
      [string, Map<string, string>],
    ];
    expect(fields.get('o')).toBe('u:email');
    expect(() => repository({ conflictTarget: ['name'] })).toThrow(ConfigurationError);
    expect(() => repository({ shards: 0 })).toThrow(OptionError);
    expect(() => repository({ keyPrefix: 'a{b}' })).toThrow(OptionError);
    const plain = new EmployeeRepository(db.dataSource);
    await expect(plain.enqueueCreate(person(1))).rejects.toThrow(ConfigurationError);
  });

  it('says the outcome is unknown when Redis does not answer the XADD', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const repo = new EmployeeRepository(db.dataSource, {
      writeBehind: { redis: down, keyPrefix: prefix },
    });
    const error = await repo.enqueueCreate(person(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteBehindError);
    expect(error).toMatchObject({ code: 'WRITE_BEHIND_ENQUEUE_FAILED', outcome: 'unknown' });
    down.disconnect();
  });
});
