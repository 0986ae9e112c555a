import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { FilterError, type FilterErrorCode } from '../../src';
import { MATCH_ALL, type FilterNode } from '../../src/filters/filter-node';
import type { FilterOperator } from '../../src/filters/filter-operators';
import { MAX_FILTER_DEPTH, MAX_FILTER_SIZE } from '../../src/filters/filter-limits';
import { parseFilters } from '../../src/filters/filter-parser';
import { EntityModel } from '../../src/model/entity-model';
import { openDataSource } from '../support/data-sources';
import { Employee } from '../support/employee';

/** Property names with single, double and trailing underscores, to test how keys are split. */
@Entity('line_items')
class LineItem {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: Number, name: 'unit_price_cents' })
  unit_price!: number;

  @Column({ type: String })
  sku__code!: string;

  @Column({ type: String, nullable: true })
  note_!: string | null;
}

/** A parsed tree with each column replaced by its property name, so it compares by value. */
type Shape =
  | { and: Shape[] }
  | { or: Shape[] }
  | { not: Shape }
  | { key: string; field: string; op: FilterOperator; value: unknown };

function shape(node: FilterNode): Shape {
  switch (node.kind) {
    case 'and':
      return { and: node.children.map(shape) };
    case 'or':
      return { or: node.children.map(shape) };
    case 'not':
      return { not: shape(node.child) };
    case 'condition':
      return { key: node.key, field: node.column.property, op: node.op, value: node.value };
  }
}

let dataSource: DataSource;
let employees: EntityModel<Employee>;
let lineItems: EntityModel<LineItem>;

beforeAll(async () => {
  ({ dataSource } = await openDataSource('sqlite', [Employee, LineItem]));
  employees = new EntityModel(dataSource, Employee);
  lineItems = new EntityModel(dataSource, LineItem);
});
afterAll(() => dataSource.destroy());

const parse = (filters: unknown) => shape(parseFilters(filters, employees));

/** The FilterError `parseFilters` throws for `filters`; fails the test if it throws nothing. */
function parseError(filters: unknown, model: EntityModel = employees): FilterError {
  try {
    parseFilters(filters, model);
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(filters)} to be rejected`);
}

function expectFilterError(filters: unknown, code: FilterErrorCode, key: string): FilterError {
  const error = parseError(filters);
  expect(error).toBeInstanceOf(FilterError);
  expect({ code: error.code, key: error.key }).toEqual({ code, key });
  return error;
}

describe('parseFilters: empty input', () => {
  it.each([undefined, null])('returns MATCH_ALL for %p', (input) => {
    expect(parseFilters(input, employees)).toBe(MATCH_ALL);
  });

  it('parses {} as an AND with no children', () => {
    expect(parse({})).toEqual({ and: [] });
  });

  it('an undefined filter value throws FILTER_UNDEFINED_VALUE instead of widening the filter', () => {
    expectFilterError({ id: undefined }, 'FILTER_UNDEFINED_VALUE', 'id');
    expectFilterError({ salary: 5000, name: undefined }, 'FILTER_UNDEFINED_VALUE', 'name');
    expectFilterError({ department__in: undefined }, 'FILTER_UNDEFINED_VALUE', 'department__in');
    expectFilterError({ salary__in: [1, undefined] }, 'FILTER_UNDEFINED_VALUE', 'salary__in');
    expectFilterError(
      { salary__between: [1, undefined] },
      'FILTER_UNDEFINED_VALUE',
      'salary__between',
    );
    expectFilterError({ $or: [{ salary: 1 }, { id: undefined }] }, 'FILTER_UNDEFINED_VALUE', 'id');
    expectFilterError({ $and: [{ name__lt: undefined }] }, 'FILTER_UNDEFINED_VALUE', 'name__lt');
    expectFilterError({ $not: { id: undefined } }, 'FILTER_UNDEFINED_VALUE', 'id');
    expectFilterError({ nope__lt: undefined }, 'FILTER_UNDEFINED_VALUE', 'nope__lt');
    expectFilterError({ $or: undefined }, 'FILTER_UNDEFINED_VALUE', '$or');
  });
});

describe('parseFilters: keys', () => {
  it('reads a bare field name as eq', () => {
    expect(parse({ salary: 5000 })).toEqual({
      key: 'salary',
      field: 'salary',
      op: 'eq',
      value: 5000,
    });
  });

  it('returns a single condition unwrapped and several as an AND in key order', () => {
    expect(parse({ name: 'Ada', salary__gt: 10, active: true })).toEqual({
      and: [
        { key: 'name', field: 'name', op: 'eq', value: 'Ada' },
        { key: 'salary__gt', field: 'salary', op: 'gt', value: 10 },
        { key: 'active', field: 'active', op: 'eq', value: true },
      ],
    });
  });

  it.each<[string, unknown]>([
    ['salary__eq', 5000],
    ['salary__ne', 5000],
    ['salary__lt', 5000],
    ['salary__lte', 5000],
    ['salary__gt', 5000],
    ['salary__gte', 5000],
    ['salary__in', [1, 2]],
    ['salary__nin', [1, 2]],
    ['salary__between', [1, 2]],
    ['name__contains', 'da'],
    ['name__icontains', 'DA'],
    ['name__startswith', 'Ad'],
    ['name__istartswith', 'ad'],
    ['name__endswith', 'da'],
    ['name__iendswith', 'DA'],
    ['department__isnull', true],
    ['department__isnotnull', false],
  ])('parses %s', (key, value) => {
    const at = key.indexOf('__');
    expect(parse({ [key]: value })).toEqual({
      key,
      field: key.slice(0, at),
      op: key.slice(at + 2),
      value,
    });
  });

  it('keeps the column object of the entity model', () => {
    const node = parseFilters({ salary__lt: 1 }, employees);
    expect(node.kind === 'condition' && node.column).toBe(employees.column('salary'));
  });

  it('returns frozen nodes', () => {
    const node = parseFilters({ salary__in: [1], $or: [{ name: 'a' }] }, employees);
    expect(Object.isFrozen(node)).toBe(true);
    if (node.kind !== 'and') throw new Error('expected an AND');
    expect(Object.isFrozen(node.children)).toBe(true);
    const [inNode] = node.children;
    expect(Object.isFrozen(inNode)).toBe(true);
    expect(inNode!.kind === 'condition' && Object.isFrozen(inNode!.value)).toBe(true);
  });

  describe('field names containing underscores', () => {
    const parseItems = (filters: unknown) => shape(parseFilters(filters, lineItems));

    it('reads a bare field with a single underscore as eq', () => {
      expect(parseItems({ unit_price: 250 })).toEqual({
        key: 'unit_price',
        field: 'unit_price',
        op: 'eq',
        value: 250,
      });
    });

    it('splits the operator at the last double underscore', () => {
      expect(parseItems({ unit_price__gte: 250 })).toEqual({
        key: 'unit_price__gte',
        field: 'unit_price',
        op: 'gte',
        value: 250,
      });
      expect(parseItems({ sku__code__startswith: 'AB' })).toEqual({
        key: 'sku__code__startswith',
        field: 'sku__code',
        op: 'startswith',
        value: 'AB',
      });
      expect(parseItems({ note___contains: 'x' })).toEqual({
        key: 'note___contains',
        field: 'note_',
        op: 'contains',
        value: 'x',
      });
    });

    it('prefers an exact property over an operator split', () => {
      // `sku__code` is a property, not the field `sku` with an operator `code`.
      expect(parseItems({ sku__code: 'AB-1' })).toEqual({
        key: 'sku__code',
        field: 'sku__code',
        op: 'eq',
        value: 'AB-1',
      });
    });

    it('resolves property names, never database column names', () => {
      const error = parseError({ unit_price_cents__lt: 5 }, lineItems);
      expect({ code: error.code, key: error.key, message: error.message }).toEqual({
        code: 'FILTER_UNKNOWN_FIELD',
        key: 'unit_price_cents__lt',
        message: 'unit_price_cents__lt: LineItem has no field "unit_price_cents"',
      });
    });
  });
});

describe('parseFilters: $or, $and and $not', () => {
  it('nests logical keys', () => {
    expect(
      parse({
        department: 'eng',
        $or: [{ salary__lt: 100 }, { $and: [{ active: true }, { name__startswith: 'A' }] }],
        $not: { email__endswith: '@example.com' },
      }),
    ).toEqual({
      and: [
        { key: 'department', field: 'department', op: 'eq', value: 'eng' },
        {
          or: [
            { key: 'salary__lt', field: 'salary', op: 'lt', value: 100 },
            {
              and: [
                { key: 'active', field: 'active', op: 'eq', value: true },
                { key: 'name__startswith', field: 'name', op: 'startswith', value: 'A' },
              ],
            },
          ],
        },
        {
          not: { key: 'email__endswith', field: 'email', op: 'endswith', value: '@example.com' },
        },
      ],
    });
  });

  it('keeps a one-element $or / $and as a junction and ANDs a multi-key object inside it', () => {
    expect(parse({ $or: [{ name: 'a', salary: 1 }] })).toEqual({
      or: [
        {
          and: [
            { key: 'name', field: 'name', op: 'eq', value: 'a' },
            { key: 'salary', field: 'salary', op: 'eq', value: 1 },
          ],
        },
      ],
    });
    expect(parse({ $and: [{ name: 'a' }] })).toEqual({
      and: [{ key: 'name', field: 'name', op: 'eq', value: 'a' }],
    });
  });

  it('parses empty junctions and an empty $not', () => {
    expect(parse({ $or: [] })).toEqual({ or: [] });
    expect(parse({ $and: [] })).toEqual({ and: [] });
    expect(parse({ $not: {} })).toEqual({ not: { and: [] } });
  });

  it('nests $not inside $not', () => {
    expect(parse({ $not: { $not: { salary: 1 } } })).toEqual({
      not: { not: { key: 'salary', field: 'salary', op: 'eq', value: 1 } },
    });
  });

  it('rejects an unknown $ key', () => {
    const error = expectFilterError({ $xyz: { salary: 1 } }, 'FILTER_UNKNOWN_OPERATOR', '$xyz');
    expect(error.message).toBe('$xyz: unknown operator "$xyz"');
  });

  it.each([
    ['$or', {}],
    ['$or', { salary: 1 }],
    ['$and', 'salary=1'],
    ['$or', null],
  ])('rejects a non-array %s (%p)', (key, value) => {
    const error = expectFilterError({ [key]: value }, 'FILTER_INVALID_VALUE', key);
    expect(error.message).toBe(`${key}: expected an array of filter objects`);
  });

  it('rejects a non-object element of $or / $and with its index', () => {
    expectFilterError({ $or: [{ salary: 1 }, 5] }, 'FILTER_INVALID_VALUE', '$or[1]');
    expectFilterError({ $and: [[{ salary: 1 }]] }, 'FILTER_INVALID_VALUE', '$and[0]');
  });

  it.each([[[{ salary: 1 }]], ['x'], [5], [null]])('rejects $not: %p', (value) => {
    expectFilterError({ $not: value }, 'FILTER_INVALID_VALUE', '$not');
  });

  it('reports errors from nested filters with the nested key', () => {
    expectFilterError({ $or: [{ salary: 1 }, { nope: 2 }] }, 'FILTER_UNKNOWN_FIELD', 'nope');
    expectFilterError(
      { $not: { $and: [{ salary__foo: 1 }] } },
      'FILTER_UNKNOWN_OPERATOR',
      'salary__foo',
    );
  });
});

describe('parseFilters: unknown fields and operators', () => {
  it('rejects an unknown field', () => {
    const error = expectFilterError({ nope__lt: 1 }, 'FILTER_UNKNOWN_FIELD', 'nope__lt');
    expect(error.message).toBe('nope__lt: Employee has no field "nope"');
    expect(error.name).toBe('FilterError');
  });

  it('rejects an unknown bare field', () => {
    expectFilterError({ nope: 1 }, 'FILTER_UNKNOWN_FIELD', 'nope');
  });

  it('rejects an unknown operator on a known field', () => {
    const error = expectFilterError({ salary__foo: 1 }, 'FILTER_UNKNOWN_OPERATOR', 'salary__foo');
    expect(error.message).toBe('salary__foo: unknown operator "foo"');
  });

  it.each(['salary__', 'salary__LT', 'salary__toString', 'salary__constructor'])(
    'rejects the operator in %s',
    (key) => {
      expectFilterError({ [key]: 1 }, 'FILTER_UNKNOWN_OPERATOR', key);
    },
  );

  it('does not treat a leading __ as a separator', () => {
    expectFilterError({ __lt: 1 }, 'FILTER_UNKNOWN_FIELD', '__lt');
  });

  it('rejects a database-only name and an inherited object key', () => {
    expectFilterError({ toString: 1 }, 'FILTER_UNKNOWN_FIELD', 'toString');
    expectFilterError(JSON.parse('{"__proto__": 1}'), 'FILTER_UNKNOWN_FIELD', '__proto__');
  });
});

describe('parseFilters: values', () => {
  it.each(['salary__in', 'salary__nin'])('requires an array for %s', (key) => {
    for (const value of [1, '1,2', { 0: 1 }, null]) {
      const error = expectFilterError({ [key]: value }, 'FILTER_INVALID_VALUE', key);
      expect(error.message).toBe(`${key}: expected an array`);
    }
  });

  it('accepts an empty list and null inside a list', () => {
    expect(parse({ salary__in: [] })).toMatchObject({ op: 'in', value: [] });
    expect(parse({ salary__nin: [1, null] })).toMatchObject({ op: 'nin', value: [1, null] });
  });

  it('checks every element of a list against the column', () => {
    expectFilterError({ salary__in: [1, 'x'] }, 'FILTER_INVALID_VALUE', 'salary__in');
  });

  it.each([[[1]], [[1, 2, 3]], [[]], [5], ['1,2'], [{ low: 1, high: 2 }], [null]])(
    'requires a [low, high] pair for between, not %p',
    (value) => {
      const error = expectFilterError(
        { salary__between: value },
        'FILTER_INVALID_VALUE',
        'salary__between',
      );
      expect(error.message).toBe('salary__between: expected a [low, high] pair');
    },
  );

  it('rejects null inside between', () => {
    expectFilterError({ salary__between: [1, null] }, 'FILTER_INVALID_VALUE', 'salary__between');
  });

  it.each(['department__isnull', 'department__isnotnull'])('requires a boolean for %s', (key) => {
    for (const value of ['true', 1, 0, null]) {
      const error = expectFilterError({ [key]: value }, 'FILTER_INVALID_VALUE', key);
      expect(error.message).toBe(`${key}: expected true or false`);
    }
  });

  it.each([
    'name__contains',
    'name__icontains',
    'name__startswith',
    'name__istartswith',
    'name__endswith',
    'name__iendswith',
  ])('requires a string for %s', (key) => {
    for (const value of [5, null, ['a'], true]) {
      const error = expectFilterError({ [key]: value }, 'FILTER_INVALID_VALUE', key);
      expect(error.message).toBe(`${key}: expected a string`);
    }
  });

  it('accepts null for eq and ne', () => {
    expect(parse({ department: null })).toMatchObject({ op: 'eq', value: null });
    expect(parse({ department__ne: null })).toMatchObject({ op: 'ne', value: null });
  });

  it.each(['salary__lt', 'salary__lte', 'salary__gt', 'salary__gte'])(
    'rejects null for %s',
    (key) => {
      expectFilterError({ [key]: null }, 'FILTER_INVALID_VALUE', key);
    },
  );

  describe('number columns', () => {
    it.each<[unknown, string, unknown]>([
      [5000, 'lt', 5000],
      [0, 'lt', 0],
      [10n, 'lt', 10],
      ['5000', 'lt', 5000],
      ['-3', 'lt', -3],
      // No int is between -2 and -1.5, or between 5000 and 5000.50: whole bounds, alike everywhere.
      [-1.5, 'lte', -2],
      ['5000.50', 'lte', 5000],
    ])('salary__lt (an int column) with %p is %s %p', (value, op, bound) => {
      expect(parse({ salary__lt: value })).toMatchObject({ op, value: bound });
    });

    it('a fraction matches no int with eq, and every row with ne; an int past the range none', () => {
      expect(parse({ salary: 1942.5 })).toEqual({ or: [] });
      expect(parse({ salary__ne: 1942.5 })).toEqual({ and: [] });
      expect(parse({ salary: 2 ** 31 })).toEqual({ or: [] });
      expect(parse({ salary__lt: 2 ** 40 })).toMatchObject({ op: 'isnull', value: false });
      expect(parse({ salary__gt: 2 ** 40 })).toEqual({ or: [] });
      expect(parse({ salary__gt: -(2 ** 40) })).toMatchObject({ op: 'isnull', value: false });
      expect(parse({ salary__lt: -(2 ** 40) })).toEqual({ or: [] });
      expect(parse({ salary: -(2 ** 31) - 1 })).toEqual({ or: [] });
      expect(parse({ salary__in: [1, 1.5, 2 ** 31, null] })).toMatchObject({ value: [1, null] });
      expect(parse({ salary__between: [1.5, 3.5] })).toMatchObject({ value: [2, 3] });
    });

    it('rejects a non-numeric string with a message naming the field', () => {
      const error = expectFilterError({ salary__lt: 'abc' }, 'FILTER_INVALID_VALUE', 'salary__lt');
      expect(error.message).toBe('salary__lt: expected a number for salary');
    });

    it.each<[unknown]>([
      [''],
      [' 5'],
      ['1e3'],
      ['.5'],
      ['5.'],
      [NaN],
      [Infinity],
      [true],
      [{}],
      [new Date(0)],
    ])('rejects %p', (value) => {
      expectFilterError({ salary: value }, 'FILTER_INVALID_VALUE', 'salary');
    });
  });

  describe('string and boolean columns', () => {
    it('rejects a number for a string column', () => {
      const error = expectFilterError({ name: 5 }, 'FILTER_INVALID_VALUE', 'name');
      expect(error.message).toBe('name: expected a string for name');
    });

    it('rejects a string for a boolean column', () => {
      const error = expectFilterError({ active: 'true' }, 'FILTER_INVALID_VALUE', 'active');
      expect(error.message).toBe('active: expected a boolean for active');
      expectFilterError({ active__in: [true, 0] }, 'FILTER_INVALID_VALUE', 'active__in');
    });
  });

  describe('date columns', () => {
    it('turns an ISO string into a Date', () => {
      const node = parse({ createdAt__gte: '2024-03-01T12:30:00.000Z' });
      expect(node).toMatchObject({ field: 'createdAt', op: 'gte' });
      const { value } = node as { value: unknown };
      expect(value).toBeInstanceOf(Date);
      expect((value as Date).toISOString()).toBe('2024-03-01T12:30:00.000Z');
    });

    it('converts each date string of a list or pair', () => {
      const between = parse({
        updatedAt__between: ['2024-01-01T00:00:00Z', '2024-12-31T00:00:00Z'],
      });
      expect(between).toMatchObject({
        op: 'between',
        value: [new Date('2024-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z')],
      });
      const list = parse({ deletedAt__in: ['2024-05-05T05:05:05Z', null] });
      expect(list).toMatchObject({ op: 'in', value: [new Date('2024-05-05T05:05:05Z'), null] });
    });

    it('passes a Date through as the same object', () => {
      const date = new Date('2020-02-02T00:00:00Z');
      expect(parse({ createdAt: date })).toMatchObject({ value: date });
      expect((parse({ createdAt: date }) as { value: unknown }).value).toBe(date);
    });

    it.each<[unknown]>([['not a date'], ['2024-13-45'], [new Date(NaN)], [1700000000000], [true]])(
      'rejects %p',
      (value) => {
        const error = expectFilterError(
          { createdAt__lt: value },
          'FILTER_INVALID_VALUE',
          'createdAt__lt',
        );
        expect(error.message).toBe(
          'createdAt__lt: expected a Date or ISO date string from year 1 to 9999 for createdAt',
        );
      },
    );
  });
});

describe('parseFilters: the filters object itself', () => {
  class Criteria {
    salary = 1;
  }

  it.each<[string, unknown]>([
    ['a number', 5],
    ['a string', 'salary=5'],
    ['an array', [{ salary: 5 }]],
    ['a Date', new Date()],
    ['a class instance', new Criteria()],
    ['a boolean', true],
  ])('rejects %s', (_label, input) => {
    const error = expectFilterError(input, 'FILTER_INVALID_VALUE', '$filters');
    expect(error.message).toBe('$filters: expected a filter object');
  });

  it('accepts an object with a null prototype', () => {
    const filters = Object.assign(Object.create(null) as object, { salary: 7 });
    expect(parse(filters)).toEqual({ key: 'salary', field: 'salary', op: 'eq', value: 7 });
  });
});

describe('regression: pattern operators on non-text columns', () => {
  it.each(['salary__contains', 'salary__istartswith', 'active__endswith'])(
    '%s is a FilterError before SQL, not a database error',
    (key) => {
      expectFilterError({ [key]: '5' }, 'FILTER_INVALID_VALUE', key);
    },
  );
});

describe('parseFilters: flattening, depth and size', () => {
  /** `depth` nested single-child `key`s around `leaf`: `{ $and: [{ $and: [leaf] }] }`. */
  const chain = (key: '$and' | '$or' | '$not', depth: number, leaf: object): object => {
    let filter = leaf;
    for (let i = 0; i < depth; i++)
      filter = key === '$not' ? { $not: filter } : { [key]: [filter] };
    return filter;
  };
  /** `depth` levels alternating $or and $and (innermost first), which never merge. */
  const alternating = (depth: number, leaf: object = { salary: 1 }): object => {
    let filter = leaf;
    for (let i = 0; i < depth; i++) filter = { [i % 2 === 0 ? '$or' : '$and']: [filter] };
    return filter;
  };
  const salary = { key: 'salary', field: 'salary', op: 'eq', value: 1 };
  const name = { key: 'name', field: 'name', op: 'eq', value: 'a' };

  it('merges $and inside $and and $or inside $or, keeping the order of the conditions', () => {
    expect(
      parse({
        name: 'a',
        $and: [{ salary: 1 }, { $and: [{ active: true }, { department: 'x', email: 'e' }] }, {}],
      }),
    ).toEqual({
      and: [
        name,
        salary,
        { key: 'active', field: 'active', op: 'eq', value: true },
        { key: 'department', field: 'department', op: 'eq', value: 'x' },
        { key: 'email', field: 'email', op: 'eq', value: 'e' },
      ],
    });
    expect(
      parse({ $or: [{ salary: 1 }, { $or: [{ $or: [{ name: 'a' }] }, { $or: [] }] }] }),
    ).toEqual({
      or: [salary, name],
    });
  });

  it('does not merge $and into $or, $or into $and, or $not into $not', () => {
    expect(parse({ $or: [{ $and: [{ salary: 1 }] }] })).toEqual({ or: [{ and: [salary] }] });
    expect(parse({ $and: [{ $or: [{ salary: 1 }] }] })).toEqual({ and: [{ or: [salary] }] });
    expect(parse({ $or: [{ salary: 1, name: 'a' }] })).toEqual({ or: [{ and: [salary, name] }] });
    expect(parse({ $not: { $not: { salary: 1 } } })).toEqual({ not: { not: salary } });
  });

  it('flattens a 1,000-deep chain of single-child $and (or $or) to one node', () => {
    expect(parse(chain('$and', 1000, { salary: 1 }))).toEqual({ and: [salary] });
    expect(parse(chain('$and', 1000, { salary: 1, name: 'a' }))).toEqual({ and: [salary, name] });
    expect(parse(chain('$or', 1000, { salary: 1 }))).toEqual({ or: [salary] });
    // The longest chain within the size limit parses without recursing once per level.
    expect(parse(chain('$and', (MAX_FILTER_SIZE - 2) / 2, { salary: 1 }))).toEqual({
      and: [salary],
    });
  });

  it(`accepts ${MAX_FILTER_DEPTH} levels of $and/$or/$not after flattening and refuses one more`, () => {
    expect(() => parseFilters(alternating(MAX_FILTER_DEPTH), employees)).not.toThrow();
    expect(() =>
      parseFilters(chain('$not', MAX_FILTER_DEPTH, { salary: 1 }), employees),
    ).not.toThrow();
    // A 1,000-deep $and chain counts as one level.
    const inner = chain('$and', 1000, { salary: 1 });
    expect(() => parseFilters(alternating(MAX_FILTER_DEPTH - 1, inner), employees)).not.toThrow();

    const error = parseError(alternating(MAX_FILTER_DEPTH + 1));
    expect(error).toBeInstanceOf(FilterError);
    expect(error.code).toBe('FILTER_TOO_DEEP');
    // The path to the key that went too deep, shortened in the middle.
    expect(error.key).toBe('$or[0].$and[0].$or[0].$and[0].….$and[0].$or[0].$and[0].$or');
    expect(error.message).toBe(
      `${error.key}: nested deeper than ${MAX_FILTER_DEPTH} levels of $and/$or/$not ` +
        '(counted after merging $and in $and and $or in $or)',
    );
    // An object of several keys is an AND level of its own.
    const several = alternating(MAX_FILTER_DEPTH - 1, { salary: 1, name: 'a' });
    expect(() => parseFilters(several, employees)).not.toThrow();
    expect(parseError({ $not: several }).code).toBe('FILTER_TOO_DEEP');
  });

  it.each([5_000, 100_000])('a %d-deep filter is a FilterError, not a RangeError', (depth) => {
    expect(parseError(chain('$not', depth, { salary: 1 })).code).toBe('FILTER_TOO_DEEP');
    expect(parseError(alternating(depth)).code).toBe('FILTER_TOO_DEEP');
    // A single-child $and chain flattens, but holds too many objects.
    const error = parseError(chain('$and', depth, { salary: 1 }));
    expect(error.code).toBe('FILTER_TOO_LARGE');
    expect(error.key).toBe(`${'$and[0].'.repeat(4)}….${'$and[0].'.repeat(3)}$and`);
    expect(error.message).toBe(
      `${error.key}: more than ${MAX_FILTER_SIZE} filter objects and keys in one filter`,
    );
  });

  it(`accepts ${MAX_FILTER_SIZE} filter objects and keys and refuses one more`, () => {
    // The root object and its $or key, then one object and one key per element.
    const elements = (MAX_FILTER_SIZE - 2) / 2;
    const at = { $or: Array.from({ length: elements }, (_, i) => ({ salary: i })) };
    expect(parse(at)).toMatchObject({ or: { length: elements } });
    // Counted as read: the limit is crossed at the last element that still has a key.
    expectFilterError({ $or: [...at.$or, {}] }, 'FILTER_TOO_LARGE', `$or[${elements - 1}]`);
    // A huge array is refused before its elements are read.
    expectFilterError({ $or: new Array<unknown>(10_000_000) }, 'FILTER_TOO_LARGE', '$or');
  });

  it('a filter that contains itself is refused, not looped over', () => {
    const loop: Record<string, unknown> = {};
    loop.$and = [loop];
    expect(parseError(loop).code).toBe('FILTER_TOO_LARGE');
    const negated: Record<string, unknown> = {};
    negated.$not = negated;
    expect(parseError(negated).code).toBe('FILTER_TOO_DEEP');
  });

  describe('values', () => {
    const limitedError = (filters: unknown, maxValues: number): FilterError => {
      try {
        parseFilters(filters, employees, { maxValues });
      } catch (error) {
        if (error instanceof FilterError) return error;
        throw error;
      }
      throw new Error('expected a FilterError');
    };

    it('counts each list element, both ends of a between and every other value', () => {
      const filters = {
        salary__in: [1, 2, null],
        $or: [{ salary__between: [1, 2] }, { department__isnull: true }, { name: 'a' }],
      };
      expect(() => parseFilters(filters, employees, { maxValues: 7 })).not.toThrow();
      const error = limitedError(filters, 6);
      expect({ code: error.code, key: error.key }).toEqual({
        code: 'FILTER_TOO_LARGE',
        key: '$or[2].name',
      });
      expect(error.message).toBe(
        '$or[2].name: more than 6 values in one filter, the most one statement can bind ' +
          'besides its own (each element of an __in/__nin list is one)',
      );
    });

    it('refuses a long list before checking its elements', () => {
      const error = limitedError({ salary__in: new Array<unknown>(1_000_000).fill('x') }, 10);
      expect({ code: error.code, key: error.key }).toEqual({
        code: 'FILTER_TOO_LARGE',
        key: 'salary__in',
      });
    });

    it('has no value limit unless one is given', () => {
      const ids = Array.from({ length: 100_000 }, (_, i) => i);
      expect(parse({ salary__in: ids })).toMatchObject({ op: 'in' });
    });
  });
});
