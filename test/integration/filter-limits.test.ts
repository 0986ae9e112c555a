import { FilterError, type FilterErrorCode } from '../../src';
import { adapterFor } from '../../src/dialects/adapter-for';
import { MAX_FILTER_DEPTH, MAX_FILTER_SIZE } from '../../src/filters/filter-limits';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository, storedEmployees } from '../support/employee';
import { matches, type Row } from '../support/filter-oracle';
import { itWhere, TARGETS } from '../support/servers';

type Filter = Record<string, unknown>;

/** `depth` nested single-child `key`s around `leaf`. */
function chain(key: '$and' | '$or' | '$not', depth: number, leaf: Filter): Filter {
  let filter = leaf;
  for (let i = 0; i < depth; i++) filter = key === '$not' ? { $not: filter } : { [key]: [filter] };
  return filter;
}

/** Filter objects plus keys, as docs/filters.md counts a filter's size. */
function sizeOf(filter: Filter): number {
  let size = 1;
  for (const [key, value] of Object.entries(filter)) {
    size++;
    if (key === '$and' || key === '$or') {
      for (const child of value as Filter[]) size += sizeOf(child);
    } else if (key === '$not') {
      size += sizeOf(value as Filter);
    }
  }
  return size;
}

/** Conditions that match no row (salaries are multiples of 10, never negative). */
const noSalaries = (count: number, op = 'eq') =>
  Array.from({ length: count }, (_, i) => ({ [op === 'eq' ? 'salary' : `salary__${op}`]: -1 - i }));

/**
 * A filter exactly {@link MAX_FILTER_DEPTH} levels deep ($and, $not and $or in turn, so that no
 * level merges into the next) and exactly {@link MAX_FILTER_SIZE} large, every junction wide,
 * that selects some rows and not others.
 */
function largestFilter(extraDepth = 0, extraSize = 0): Filter {
  const depth = MAX_FILTER_DEPTH + extraDepth;
  const width = 200;
  const build = (innermost: Filter[], oddKey: boolean) => {
    let filter: Filter = { $or: innermost };
    for (let level = 1; level < depth; level++) {
      const kind = level % 3;
      if (kind === 1) {
        // A second key in an object inside $and merges into that $and: no extra level.
        const keep = oddKey && level === 1 ? { active__isnotnull: true } : {};
        filter = {
          $and: [filter, { department__ne: 'none', ...keep }, ...noSalaries(width, 'ne')],
        };
      } else if (kind === 2) filter = { $not: filter };
      else filter = { $or: [filter, { salary: level * 10 }, ...noSalaries(width)] };
    }
    return filter;
  };
  const room =
    MAX_FILTER_SIZE + extraSize - sizeOf(build([{ salary__in: [100, 150, 200] }], false));
  // Each padding condition is an object and a key; an odd remainder is one more key.
  const filter = build(
    [{ salary__in: [100, 150, 200] }, ...noSalaries(Math.floor(room / 2))],
    room % 2 === 1,
  );
  expect(sizeOf(filter)).toBe(MAX_FILTER_SIZE + extraSize);
  return filter;
}

describe.each(TARGETS)('filter depth and size limits on %s', (target) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;
  let rows: Row[];

  beforeAll(async () => {
    db = await openDataSource(target, [Employee]);
    repo = new EmployeeRepository(db.dataSource);
    const departments = ['eng', 'ops', null];
    await db.dataSource.getRepository(Employee).insert(
      Array.from({ length: 60 }, (_, i) => ({
        name: `P${i}`,
        email: `p${i}@example.com`,
        department: departments[i % 3]!,
        salary: i % 7 === 6 ? null : i * 10,
        active: i % 2 === 0,
      })),
    );
    rows = (await storedEmployees(db.dataSource)) as unknown as Row[];
  });
  afterAll(() => db.dataSource.destroy());

  const expectedIds = (filter: Filter) =>
    rows
      .filter((row) =>
        matches(row, filter, {
          caseInsensitiveEquality: target === 'mysql' || target === 'mariadb',
        }),
      )
      .map((row) => row.id as number);

  /**
   * list, count, exists and bulkUpdate (one statement and paged) agree with the in-memory
   * evaluator on the table's rows (given `equivalent`, a filter that selects the same).
   */
  async function expectAnswers(filter: Filter, mark: string, equivalent = filter) {
    const expected = expectedIds(equivalent);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(rows.length);
    expect((await repo.list({ filters: filter })).map((e) => e.id)).toEqual(expected);
    expect(await repo.count(filter)).toBe(expected.length);
    expect(await repo.exists(filter)).toBe(true);
    for (const [i, options] of [{}, { batchSize: 25 }].entries()) {
      const name = `${mark}-${i}`;
      const result = await repo.bulkUpdate(filter, { name }, options);
      expect(result.successCount).toBe(expected.length);
      const stored = await storedEmployees(db.dataSource);
      expect(stored.filter((e) => e.name === name).map((e) => e.id)).toEqual(expected);
    }
  }

  /** The FilterError each entry point throws for `filter`, and that none of them ran SQL. */
  async function expectRefused(filter: Filter, code: FilterErrorCode) {
    const calls: [string, () => Promise<unknown>][] = [
      ['list', () => repo.list({ filters: filter })],
      ['count', () => repo.count(filter)],
      ['exists', () => repo.exists(filter)],
      ['findOne', () => repo.findOne(filter)],
      ['bulkUpdate', () => repo.bulkUpdate(filter, { name: 'never' })],
      ['bulkUpdate paged', () => repo.bulkUpdate(filter, { name: 'never' }, { batchSize: 10 })],
      ['bulkDelete', () => repo.bulkDelete(filter)],
    ];
    for (const [label, call] of calls) {
      const error = await call().then(
        () => new Error(`${label} accepted the filter`),
        (e: unknown) => e,
      );
      expect({ label, error }).toEqual({ label, error: expect.any(FilterError) });
      expect({ label, code: (error as FilterError).code }).toEqual({ label, code });
      const sql = await db.queries.during(() => call().catch(() => undefined));
      expect({ label, sql }).toEqual({ label, sql: [] });
    }
  }

  it('runs a 1,000-deep $and chain and a 1,000-deep $or chain, flattened', async () => {
    const leaf = (inner: Filter) => ({ salary__gte: 100, $or: [inner, { active: false }] });
    const filter = chain('$and', 1000, leaf(chain('$or', 1000, { department: 'eng' })));
    // The in-memory evaluator recurses: it reads the chain's one condition.
    await expectAnswers(filter, 'chain', leaf({ department: 'eng' }));
  });

  it(`runs a filter ${MAX_FILTER_DEPTH} levels deep of ${MAX_FILTER_SIZE} objects and keys`, async () => {
    await expectAnswers(largestFilter(), 'largest');
  });

  it('runs __in and __nin lists of 70,000 values, past every bind-parameter limit', async () => {
    // One array parameter on PostgreSQL (= ANY), one JSON parameter on SQLite (json_each), and
    // values written into the SQL on the client by mysql2 on MySQL/MariaDB.
    const salaries = [100, 200, 300, ...Array.from({ length: 70_000 }, (_, i) => 1_000_001 + i)];
    await expectAnswers({ salary__in: salaries, department__ne: 'ops' }, 'in');
    await expectAnswers({ salary__nin: salaries, department: 'eng' }, 'nin');
  });

  itWhere(target === 'sqlite')(
    'refuses a filter whose values take more bind parameters than one statement has',
    async () => {
      const { maxBindParameters } = adapterFor(db.dataSource).capabilities;
      // Lists of up to 100 values are written inline: 400 of them take 40,000 parameters.
      const lists = Array.from({ length: 400 }, (_, i) => ({
        salary__in: Array.from({ length: 100 }, (_, j) => -(i * 100 + j) - 1),
      }));
      expect(400 * 100).toBeGreaterThan(maxBindParameters);
      await expectRefused({ $or: lists }, 'FILTER_TOO_LARGE');
    },
  );

  it('refuses a filter one level too deep or one key too large before any SQL', async () => {
    await expectRefused(largestFilter(1), 'FILTER_TOO_DEEP');
    await expectRefused(largestFilter(0, 1), 'FILTER_TOO_LARGE');
  });

  it('refuses 5,000- and 100,000-deep filters before any SQL', async () => {
    for (const depth of [5_000, 100_000]) {
      await expectRefused(chain('$not', depth, { salary: 10 }), 'FILTER_TOO_DEEP');
      await expectRefused(chain('$and', depth, { salary: 10 }), 'FILTER_TOO_LARGE');
    }
  });
});
