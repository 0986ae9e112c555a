import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';

const pg = new PostgresAdapter();
const my = new MysqlAdapter();
const lite = new SqliteAdapter();

describe('upsertClause', () => {
  const update = (quote: (s: string) => string) => ({
    conflictColumns: [quote('email')],
    updateColumns: [quote('name'), quote('salary')],
    extraAssignments: [`${quote('version')} = ${quote('version')} + 1`],
  });
  const skip = (quote: (s: string) => string) => ({
    conflictColumns: [quote('id')],
    updateColumns: [],
  });

  it('PostgreSQL and SQLite: ON CONFLICT (target) DO UPDATE SET … = EXCLUDED.…', () => {
    for (const a of [pg, lite]) {
      const q = (s: string) => a.quoteIdentifier(s);
      expect(a.upsertClause(update(q))).toBe(
        'ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "salary" = EXCLUDED."salary", "version" = "version" + 1',
      );
      expect(a.upsertClause(skip(q))).toBe('ON CONFLICT ("id") DO NOTHING');
    }
  });

  it('MySQL: ON DUPLICATE KEY UPDATE, and a skip is pk = pk, never INSERT IGNORE', () => {
    const q = (s: string) => my.quoteIdentifier(s);
    expect(my.upsertClause(update(q))).toBe(
      'ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `salary` = VALUES(`salary`), `version` = `version` + 1',
    );
    expect(my.upsertClause(skip(q))).toBe('ON DUPLICATE KEY UPDATE `id` = `id`');
  });
});

describe('capabilities', () => {
  it('report the bind-parameter limits, placeholders and RETURNING support', () => {
    expect([pg.maxBindParameters, my.maxBindParameters, lite.maxBindParameters]).toEqual([
      65_535, 65_535, 32_766,
    ]);
    expect([pg.placeholder(0), pg.placeholder(9), my.placeholder(3), lite.placeholder(3)]).toEqual([
      '$1',
      '$10',
      '?',
      '?',
    ]);
    expect([pg.supportsReturning, my.supportsReturning, lite.supportsReturning]).toEqual([
      true,
      false,
      true,
    ]);
    expect(my.maxStatementBytes).toBe(16 * 1024 * 1024);
    expect([
      pg.quoteIdentifier('a"b'),
      my.quoteIdentifier('a`b'),
      lite.quoteIdentifier('x'),
    ]).toEqual(['"a""b"', '`a``b`', '"x"']);
  });
});
