import type { DataSource } from 'typeorm';
import type { DialectName } from '../../src';
import type { DialectAdapter } from '../../src/dialects/dialect-adapter';
import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';
import { compileFilter, type FilterCompileContext } from '../../src/filters/filter-compiler';
import { parseFilters } from '../../src/filters/filter-parser';
import { ParameterBag } from '../../src/sql/parameter-bag';
import { EntityModel } from '../../src/model/entity-model';
import { openDataSource } from '../support/data-sources';
import { Employee } from '../support/employee';

const ADAPTERS: Readonly<Record<DialectName, DialectAdapter>> = {
  postgres: new PostgresAdapter(),
  mysql: new MysqlAdapter(),
  sqlite: new SqliteAdapter(),
};
const DIALECTS = Object.keys(ADAPTERS) as DialectName[];

interface Compiled {
  readonly sql: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

let dataSource: DataSource;
let model: EntityModel<Employee>;

beforeAll(async () => {
  ({ dataSource } = await openDataSource('sqlite', [Employee]));
  model = new EntityModel(dataSource, Employee);
});
afterAll(() => dataSource.destroy());

function compile(
  dialect: DialectName,
  filters: unknown,
  overrides: Partial<FilterCompileContext> = {},
): Compiled {
  const adapter = ADAPTERS[dialect];
  const bag = new ParameterBag();
  const sql = compileFilter(parseFilters(filters, model), {
    adapter,
    bind: bag.bind,
    columnRef: (c) => adapter.syntax.quoteIdentifier(c.databaseName),
    toDatabase: (_c, v) => v,
    ...overrides,
  });
  return { sql, parameters: bag.values };
}

/** Compiles `filters` for every dialect and compares SQL and parameters, as Kysely's testSql. */
function testSql(filters: unknown, expected: Readonly<Record<DialectName, Compiled>>): void {
  const actual = Object.fromEntries(DIALECTS.map((d) => [d, compile(d, filters)]));
  expect(actual).toEqual(expected);
}

/**
 * `sameSql`, except that PostgreSQL binds an `IN` list as one array: `"x" = ANY(:f0)`. `lists`
 * gives each list's values in order; the others bind them one by one from `parameters`.
 */
function listSql(
  sqlWithDoubleQuotes: string,
  postgresSql: string,
  parameters: Record<string, unknown>,
  postgresParameters: Record<string, unknown>,
) {
  return {
    ...sameSql(sqlWithDoubleQuotes, parameters),
    postgres: { sql: postgresSql, parameters: postgresParameters },
  };
}

/** The same SQL for PostgreSQL and SQLite (double quotes) and MySQL (backticks). */
function sameSql(sqlWithDoubleQuotes: string, parameters: Record<string, unknown>) {
  const mysql = sqlWithDoubleQuotes.replace(/"(\w+)"/g, '`$1`');
  return {
    postgres: { sql: sqlWithDoubleQuotes, parameters },
    mysql: { sql: mysql, parameters },
    sqlite: { sql: sqlWithDoubleQuotes, parameters },
  };
}

describe('compileFilter: equality', () => {
  it('eq binds the value', () => {
    testSql({ salary: 5000 }, sameSql('"salary" = :f0', { f0: 5000 }));
  });

  it('eq null is IS NULL with no parameter', () => {
    testSql({ department: null }, sameSql('"department" IS NULL', {}));
  });

  it('ne also matches NULL', () => {
    testSql(
      { department__ne: 'eng' },
      sameSql('("department" <> :f0 OR "department" IS NULL)', { f0: 'eng' }),
    );
  });

  it('ne null is IS NOT NULL', () => {
    testSql({ department__ne: null }, sameSql('"department" IS NOT NULL', {}));
  });

  it('eq on a boolean and a date binds them unchanged', () => {
    const date = new Date('2024-03-01T00:00:00Z');
    testSql(
      { active: false, createdAt: date },
      sameSql('("active" = :f0 AND "createdAt" = :f1)', { f0: false, f1: date }),
    );
  });
});

describe('compileFilter: comparisons', () => {
  it.each([
    ['lt', '<'],
    ['lte', '<='],
    ['gt', '>'],
    ['gte', '>='],
  ])('%s is %s', (op, sqlOp) => {
    testSql({ [`salary__${op}`]: 100 }, sameSql(`"salary" ${sqlOp} :f0`, { f0: 100 }));
  });

  it('binds a fractional bound on an int column as the next whole number', () => {
    testSql({ salary__gte: '5000.50' }, sameSql('"salary" >= :f0', { f0: 5001 }));
  });

  it('between binds low and high in order', () => {
    testSql(
      { salary__between: [10, 20] },
      sameSql('"salary" BETWEEN :f0 AND :f1', { f0: 10, f1: 20 }),
    );
  });

  it('passes a parsed date string as a Date', () => {
    testSql(
      { createdAt__lt: '2024-01-02T03:04:05.000Z' },
      sameSql('"createdAt" < :f0', { f0: new Date('2024-01-02T03:04:05.000Z') }),
    );
  });
});

describe('compileFilter: in and nin', () => {
  it('in binds each value', () => {
    testSql(
      { salary__in: [1, 2, 3] },
      listSql(
        '"salary" IN (:f0, :f1, :f2)',
        '"salary" = ANY(:f0)',
        { f0: 1, f1: 2, f2: 3 },
        { f0: [1, 2, 3] },
      ),
    );
  });

  it('in [] matches nothing', () => {
    testSql({ salary__in: [] }, sameSql('1 = 0', {}));
  });

  it('in [null] is IS NULL', () => {
    testSql({ salary__in: [null] }, sameSql('"salary" IS NULL', {}));
  });

  it('in with null adds OR IS NULL', () => {
    testSql(
      { salary__in: [1, null, 2] },
      listSql(
        '("salary" IN (:f0, :f1) OR "salary" IS NULL)',
        '("salary" = ANY(:f0) OR "salary" IS NULL)',
        { f0: 1, f1: 2 },
        { f0: [1, 2] },
      ),
    );
  });

  it('nin also matches NULL', () => {
    testSql(
      { salary__nin: [1, 2] },
      listSql(
        '("salary" NOT IN (:f0, :f1) OR "salary" IS NULL)',
        '("salary" <> ALL(:f0) OR "salary" IS NULL)',
        { f0: 1, f1: 2 },
        { f0: [1, 2] },
      ),
    );
  });

  it('nin [] matches everything', () => {
    testSql({ salary__nin: [] }, sameSql('1 = 1', {}));
  });

  it('nin [null] is IS NOT NULL', () => {
    testSql({ salary__nin: [null] }, sameSql('"salary" IS NOT NULL', {}));
  });

  it('nin with null excludes NULL', () => {
    testSql(
      { salary__nin: [null, 7] },
      listSql(
        '("salary" NOT IN (:f0) AND "salary" IS NOT NULL)',
        '("salary" <> ALL(:f0) AND "salary" IS NOT NULL)',
        { f0: 7 },
        { f0: [7] },
      ),
    );
  });
});

describe('compileFilter: isnull and isnotnull', () => {
  it.each<[string, boolean, string]>([
    ['department__isnull', true, '"department" IS NULL'],
    ['department__isnull', false, '"department" IS NOT NULL'],
    ['department__isnotnull', true, '"department" IS NOT NULL'],
    ['department__isnotnull', false, '"department" IS NULL'],
  ])('%s: %p is %s', (key, value, sql) => {
    testSql({ [key]: value }, sameSql(sql, {}));
  });
});

describe('compileFilter: pattern operators', () => {
  it('contains', () => {
    testSql(
      { name__contains: 'Ada' },
      {
        postgres: { sql: `"name" LIKE :f0 ESCAPE '!'`, parameters: { f0: '%Ada%' } },
        mysql: {
          sql: "CAST(`name` AS BINARY) LIKE CAST(:f0 AS BINARY) ESCAPE '!'",
          parameters: { f0: '%Ada%' },
        },
        sqlite: { sql: '"name" GLOB :f0', parameters: { f0: '*Ada*' } },
      },
    );
  });

  it('startswith', () => {
    testSql(
      { name__startswith: 'Ad' },
      {
        postgres: { sql: `"name" LIKE :f0 ESCAPE '!'`, parameters: { f0: 'Ad%' } },
        mysql: {
          sql: "CAST(`name` AS BINARY) LIKE CAST(:f0 AS BINARY) ESCAPE '!'",
          parameters: { f0: 'Ad%' },
        },
        sqlite: { sql: '"name" GLOB :f0', parameters: { f0: 'Ad*' } },
      },
    );
  });

  it('endswith', () => {
    testSql(
      { name__endswith: 'da' },
      {
        postgres: { sql: `"name" LIKE :f0 ESCAPE '!'`, parameters: { f0: '%da' } },
        mysql: {
          sql: "CAST(`name` AS BINARY) LIKE CAST(:f0 AS BINARY) ESCAPE '!'",
          parameters: { f0: '%da' },
        },
        sqlite: { sql: '"name" GLOB :f0', parameters: { f0: '*da' } },
      },
    );
  });

  it.each([
    ['icontains', '%ada%'],
    ['istartswith', 'ada%'],
    ['iendswith', '%ada'],
  ])('%s', (op, pattern) => {
    testSql(
      { [`name__${op}`]: 'ada' },
      {
        postgres: { sql: `"name" ILIKE :f0 ESCAPE '!'`, parameters: { f0: pattern } },
        mysql: {
          sql: "LOWER(`name`) LIKE CONVERT(:f0 USING utf8mb4) COLLATE utf8mb4_bin ESCAPE '!'",
          parameters: { f0: pattern },
        },
        sqlite: { sql: `LOWER("name") LIKE LOWER(:f0) ESCAPE '!'`, parameters: { f0: pattern } },
      },
    );
  });

  it('escapes %, _ and ! with ! in LIKE patterns; GLOB leaves them alone', () => {
    testSql(
      { name__contains: '50%_off!' },
      {
        postgres: { sql: `"name" LIKE :f0 ESCAPE '!'`, parameters: { f0: '%50!%!_off!!%' } },
        mysql: {
          sql: "CAST(`name` AS BINARY) LIKE CAST(:f0 AS BINARY) ESCAPE '!'",
          parameters: { f0: '%50!%!_off!!%' },
        },
        sqlite: { sql: '"name" GLOB :f0', parameters: { f0: '*50%_off!*' } },
      },
    );
  });

  it('escapes LIKE wildcards in the case-insensitive forms too', () => {
    testSql(
      { name__istartswith: '100%_!' },
      {
        postgres: { sql: `"name" ILIKE :f0 ESCAPE '!'`, parameters: { f0: '100!%!_!!%' } },
        mysql: {
          sql: "LOWER(`name`) LIKE CONVERT(:f0 USING utf8mb4) COLLATE utf8mb4_bin ESCAPE '!'",
          parameters: { f0: '100!%!_!!%' },
        },
        sqlite: {
          sql: `LOWER("name") LIKE LOWER(:f0) ESCAPE '!'`,
          parameters: { f0: '100!%!_!!%' },
        },
      },
    );
  });

  it('brackets *, ? and [ in GLOB patterns; LIKE leaves them alone', () => {
    testSql(
      { name__endswith: 'a*b?[c]' },
      {
        postgres: { sql: `"name" LIKE :f0 ESCAPE '!'`, parameters: { f0: '%a*b?[c]' } },
        mysql: {
          sql: "CAST(`name` AS BINARY) LIKE CAST(:f0 AS BINARY) ESCAPE '!'",
          parameters: { f0: '%a*b?[c]' },
        },
        sqlite: { sql: '"name" GLOB :f0', parameters: { f0: '*a[*]b[?][[]c]' } },
      },
    );
  });

  it.each([
    'name__contains',
    'name__icontains',
    'name__startswith',
    'name__istartswith',
    'name__endswith',
    'name__iendswith',
  ])("%s '' is IS NOT NULL with no parameter", (key) => {
    testSql({ [key]: '' }, sameSql('"name" IS NOT NULL', {}));
  });

  it('binds the pattern without passing it through toDatabase', () => {
    const seen: unknown[] = [];
    const compiled = compile(
      'postgres',
      { name__contains: 'x', salary: 1 },
      {
        toDatabase: (c, v) => {
          seen.push([c.property, v]);
          return v;
        },
      },
    );
    expect(compiled.parameters).toEqual({ f0: '%x%', f1: 1 });
    expect(seen).toEqual([['salary', 1]]);
  });
});

describe('compileFilter: logic', () => {
  it('ANDs keys with parentheses', () => {
    testSql(
      { salary__gt: 10, name: 'Ada' },
      sameSql('("salary" > :f0 AND "name" = :f1)', { f0: 10, f1: 'Ada' }),
    );
  });

  it('ORs $or children with parentheses', () => {
    testSql(
      { $or: [{ salary__lt: 10 }, { salary__gt: 90 }] },
      sameSql('("salary" < :f0 OR "salary" > :f1)', { f0: 10, f1: 90 }),
    );
  });

  it('writes a one-child junction without parentheses', () => {
    testSql({ $or: [{ salary: 1 }] }, sameSql('"salary" = :f0', { f0: 1 }));
    testSql({ $and: [{ salary: 1 }] }, sameSql('"salary" = :f0', { f0: 1 }));
  });

  it('$not is NOT COALESCE(…, FALSE)', () => {
    testSql({ $not: { salary__lt: 5 } }, sameSql('NOT COALESCE("salary" < :f0, FALSE)', { f0: 5 }));
  });

  it('$not over a junction', () => {
    testSql(
      { $not: { department: 'eng', active: true } },
      sameSql('NOT COALESCE(("department" = :f0 AND "active" = :f1), FALSE)', {
        f0: 'eng',
        f1: true,
      }),
    );
  });

  it('empty $or matches nothing and empty $and / {} everything', () => {
    testSql({ $or: [] }, sameSql('1 = 0', {}));
    testSql({ $and: [] }, sameSql('1 = 1', {}));
    testSql({}, sameSql('1 = 1', {}));
    testSql(undefined, sameSql('1 = 1', {}));
    testSql({ $not: {} }, sameSql('NOT COALESCE(1 = 1, FALSE)', {}));
  });

  it('numbers parameters in the order the SQL uses them', () => {
    testSql(
      {
        department: 'eng',
        $or: [{ salary__between: [1, 2] }, { $not: { active: true } }, { name__in: ['a', 'b'] }],
      },
      listSql(
        '("department" = :f0 AND ("salary" BETWEEN :f1 AND :f2 OR NOT COALESCE("active" = :f3, FALSE) OR "name" IN (:f4, :f5)))',
        '("department" = :f0 AND ("salary" BETWEEN :f1 AND :f2 OR NOT COALESCE("active" = :f3, FALSE) OR "name" = ANY(:f4)))',
        { f0: 'eng', f1: 1, f2: 2, f3: true, f4: 'a', f5: 'b' },
        { f0: 'eng', f1: 1, f2: 2, f3: true, f4: ['a', 'b'] },
      ),
    );
  });

  it('writes a junction of more than 8 children in balanced halves, in order', () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ salary: i }));
    const { sql, parameters } = compile('sqlite', { $or: nine });
    expect(sql).toBe(
      '(("salary" = :f0 OR "salary" = :f1 OR "salary" = :f2 OR "salary" = :f3 OR "salary" = :f4)' +
        ' OR ("salary" = :f5 OR "salary" = :f6 OR "salary" = :f7 OR "salary" = :f8))',
    );
    expect(parameters).toEqual(Object.fromEntries(nine.map((_, i) => [`f${i}`, i])));
    // 4,000 children: 9 levels of halves over runs of at most 8, not 4,000 ANDs in a row.
    const many = compile('sqlite', {
      $and: Array.from({ length: 4000 }, (_, i) => ({ salary: i })),
    });
    let depth = 0;
    let deepest = 0;
    for (const c of many.sql) {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      deepest = Math.max(deepest, depth);
    }
    expect(deepest).toBe(Math.ceil(Math.log2(4000 / 8)) + 1);
    expect(many.sql.match(/:f\d+/g)).toEqual(Array.from({ length: 4000 }, (_, i) => `:f${i}`));
  });

  it('writes a 1,000-deep chain of $and as its one condition', () => {
    let filter: object = { salary: 1 };
    for (let i = 0; i < 1000; i++) filter = { $and: [filter] };
    testSql(filter, sameSql('"salary" = :f0', { f0: 1 }));
  });

  it('uses the column reference it is given', () => {
    const compiled = compile(
      'sqlite',
      { salary__gt: 1, department: null },
      {
        columnRef: (c) => `"e"."${c.databaseName}"`,
      },
    );
    expect(compiled).toEqual({
      sql: '("e"."salary" > :f0 AND "e"."department" IS NULL)',
      parameters: { f0: 1 },
    });
  });

  it('uses the ParameterBag prefix for placeholders', () => {
    const bag = new ParameterBag('w');
    const adapter = ADAPTERS.postgres;
    const sql = compileFilter(parseFilters({ salary__in: [3, 4] }, model), {
      adapter,
      bind: bag.bind,
      columnRef: (c) => adapter.syntax.quoteIdentifier(c.databaseName),
      toDatabase: (_c, v) => v,
    });
    expect({ sql, parameters: bag.values }).toEqual({
      sql: '"salary" = ANY(:w0)',
      parameters: { w0: [3, 4] },
    });
  });
});

describe('compileFilter: values stay out of the SQL', () => {
  const hostile = "x' OR '1'='1'; DROP TABLE employees; --";

  it.each(DIALECTS)('binds every value on %s', (dialect) => {
    const filters = {
      name: hostile,
      email__in: [hostile, `${hostile}2`],
      department__ne: hostile,
      tenantId__between: [hostile, `${hostile}z`],
      $or: [
        { name__contains: hostile },
        { name__icontains: hostile },
        { name__startswith: hostile },
      ],
      $not: { email__iendswith: hostile },
    };
    const { sql, parameters } = compile(dialect, filters);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("x'");
    // The only quote characters in the SQL are those of ESCAPE '!'.
    expect(sql.replaceAll("ESCAPE '!'", '')).not.toContain("'");
    // PostgreSQL binds the email list as one array.
    const values = Object.values(parameters).flat();
    expect(values).toHaveLength(10);
    // Case-insensitive patterns are bound lower-cased.
    for (const value of values)
      expect(String(value).toLowerCase()).toContain('drop table employees');
  });

  it.each(DIALECTS)('binds numbers, booleans and dates on %s', (dialect) => {
    const date = new Date('2031-07-08T09:10:11Z');
    const { sql, parameters } = compile(dialect, {
      salary__gte: 98765,
      active: true,
      createdAt__lt: date,
    });
    expect(sql).not.toMatch(/98765|true|2031/i);
    expect(parameters).toEqual({ f0: 98765, f1: true, f2: date });
  });
});

describe('quoteIdentifier', () => {
  it('doubles the dialect quote character', () => {
    expect(ADAPTERS.postgres.syntax.quoteIdentifier('a"b')).toBe('"a""b"');
    expect(ADAPTERS.sqlite.syntax.quoteIdentifier('a"b')).toBe('"a""b"');
    expect(ADAPTERS.mysql.syntax.quoteIdentifier('a`b')).toBe('`a``b`');
  });
});
