import fc from 'fast-check';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { matches, type Row } from '../support/filter-oracle';
import { Item, ItemRepository } from '../support/item';
import { DIALECTS } from '../support/servers';

const RUNS = Number(process.env.FILTER_PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.FILTER_PROPERTY_SEED ?? 20261125);

// Mixed case, LIKE/GLOB wildcards and the escape character, empty strings and NULLs.
const NAMES = [
  'alpha',
  'Alpha',
  'ALPHA',
  'beta',
  'Beta_x',
  'be%ta',
  '50%',
  '5_0',
  'a!b',
  'a*b',
  'a?c',
  '[x]',
  'x_y_z',
  'Hello World',
  'hello',
  '',
  null,
] as const;
const FRAGMENTS = [
  'a',
  'A',
  'al',
  'AL',
  'pha',
  'PHA',
  '%',
  '_',
  '!',
  '*',
  '?',
  '[',
  '5',
  '0%',
  'be%',
  'x_',
  'lo',
  'Wor',
  ' ',
  '',
];
const DATES = [
  new Date('2020-01-01T00:00:00Z'),
  new Date('2021-06-15T12:30:00Z'),
  new Date('2022-02-28T23:59:59Z'),
  new Date('2023-11-05T08:00:00Z'),
  new Date('2024-07-04T17:45:10Z'),
];

/** A deterministic table: the same rows on every dialect and every run. */
function seedRows(count: number): Item[] {
  let state = 7;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const pick = <V>(values: readonly V[], nullEvery = 6): V | null =>
    next(nullEvery) === 0 ? null : values[next(values.length)]!;
  return Array.from({ length: count }, (_, i) =>
    Object.assign(new Item(), {
      id: i + 1,
      name: NAMES[next(NAMES.length)]!,
      qty: next(6) === 0 ? null : next(41) - 10,
      flag: pick([true, false]),
      at: pick(DATES),
    }),
  );
}

const int = fc.integer({ min: -12, max: 32 });
const date = fc.constantFrom(...DATES);
const name = fc.constantFrom(...NAMES);
const list = <V>(a: fc.Arbitrary<V>) => fc.array(fc.oneof(a, fc.constant(null)), { maxLength: 4 });
type Entry = [string, unknown];
const entry = (field: string, op: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<Entry> =>
  value.map((v): Entry => [op === 'eq' && typeof v !== 'object' ? field : `${field}__${op}`, v]);

/** Every operator on every column it applies to. */
const leaf: fc.Arbitrary<Entry> = fc.oneof(
  entry('name', 'eq', name),
  entry('name', 'ne', name),
  entry('name', 'in', list(name)),
  entry('name', 'nin', list(name)),
  ...['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith'].map((op) =>
    entry('name', op, fc.constantFrom(...FRAGMENTS)),
  ),
  entry('name', 'isnull', fc.boolean()),
  entry('qty', 'eq', fc.oneof(int, fc.constant(null))),
  entry('qty', 'ne', fc.oneof(int, fc.constant(null))),
  ...['lt', 'lte', 'gt', 'gte'].map((op) => entry('qty', op, int)),
  entry('qty', 'between', fc.tuple(int, int)),
  entry('qty', 'in', list(int)),
  entry('qty', 'nin', list(int)),
  entry('qty', 'isnotnull', fc.boolean()),
  entry('flag', 'eq', fc.oneof(fc.boolean(), fc.constant(null))),
  entry('flag', 'ne', fc.boolean()),
  entry('flag', 'in', list(fc.boolean())),
  entry('at', 'lt', date),
  entry('at', 'gte', date),
  entry('at', 'between', fc.tuple(date, date)),
  entry('at', 'eq', date),
  entry('at', 'isnull', fc.boolean()),
);

type Filter = Record<string, unknown>;
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ node: Filter }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .uniqueArray(leaf, { selector: (e) => e[0], minLength: 1, maxLength: 3 })
      .map((e) => Object.fromEntries(e)),
    fc.array(tie('node'), { maxLength: 3 }).map((children) => ({ $or: children })),
    fc.array(tie('node'), { maxLength: 3 }).map((children) => ({ $and: children })),
    tie('node').map((child) => ({ $not: child })),
  ),
})).node;

describe.each(DIALECTS)('filter property test on %s', (dialect) => {
  let db: TestDataSource;
  let repo: ItemRepository;
  const rows = seedRows(90);

  beforeAll(async () => {
    db = await openDataSource(dialect, [Item]);
    await db.dataSource.getRepository(Item).insert(rows);
    repo = new ItemRepository(db.dataSource);
  });
  afterAll(() => db.dataSource.destroy());

  it('the table holds the seeded rows', async () => {
    const stored = await repo.list();
    expect(stored.map((r) => r.name)).toEqual(rows.map((r) => r.name));
    expect(stored.map((r) => r.at?.getTime() ?? null)).toEqual(
      rows.map((r) => r.at?.getTime() ?? null),
    );
  });

  it(`returns exactly the rows an in-memory evaluator selects, for ${RUNS} random filters`, async () => {
    const oracle = { caseInsensitiveEquality: dialect === 'mysql' };
    let cases = 0;
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(filterArb, async (filters) => {
        cases++;
        const expected = rows
          .filter((r) => matches(r as unknown as Row, filters, oracle))
          .map((r) => r.id);
        if (expected.length > 0 && expected.length < rows.length) nonTrivial++;
        const actual = (await repo.list({ filters })).map((r) => r.id);
        expect(actual).toEqual(expected);
        expect(await repo.count(filters)).toBe(expected.length);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(cases).toBeGreaterThanOrEqual(RUNS);
    // Guards against a generator that only produces filters matching all or nothing.
    expect(nonTrivial).toBeGreaterThan(RUNS / 3);
  });
});
