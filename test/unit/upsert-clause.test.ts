import { insertReturningOf, MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';

const pg = new PostgresAdapter();
const my = new MysqlAdapter();
const lite = new SqliteAdapter();

describe('upsertClause', () => {
  const spec = (quote: (s: string) => string) => ({
    conflictColumns: [quote('email')],
    updateColumns: [quote('name'), quote('salary')],
    incrementColumns: [quote('version')],
    touchColumns: [quote('updatedAt')],
    guardEqual: [quote('tenantId')],
    guardNull: [quote('deletedAt')],
  });
  const skip = (quote: (s: string) => string) => ({
    conflictColumns: [quote('id')],
    updateColumns: [],
  });

  it('PostgreSQL and SQLite: ON CONFLICT (target) DO UPDATE SET … WHERE guard, on the aliased target', () => {
    // The tenant guard compares exactly: the collation's `=` (for the index), then bytes.
    const exact = new Map<object, string>([
      [pg, '"t0"."tenantId"::text = EXCLUDED."tenantId"::text COLLATE "C"'],
      [lite, '"t0"."tenantId" = EXCLUDED."tenantId" COLLATE BINARY'],
    ]);
    for (const a of [pg, lite]) {
      const q = (s: string) => a.syntax.quoteIdentifier(s);
      expect(a.syntax.insertInto('"t"', ['"a"'])).toBe('INSERT INTO "t" AS "t0" ("a")');
      expect(a.syntax.upsertClause(spec(q))).toBe(
        'ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "salary" = EXCLUDED."salary", ' +
          `"version" = "t0"."version" + 1, "updatedAt" = ${a.syntax.currentTimestamp()} ` +
          `WHERE "t0"."tenantId" = EXCLUDED."tenantId" AND ${exact.get(a)} AND "t0"."deletedAt" IS NULL`,
      );
      expect(a.syntax.upsertClause(skip(q))).toBe('ON CONFLICT ("id") DO NOTHING');
    }
  });

  it('MySQL: ON DUPLICATE KEY UPDATE with IF(guard, new, old), and a skip is pk = pk, never INSERT IGNORE', () => {
    const q = (s: string) => my.syntax.quoteIdentifier(s);
    const guard =
      '`tenantId` = VALUES(`tenantId`) AND CAST(CONVERT(`tenantId` USING utf8mb4) AS BINARY) = ' +
      'CAST(CONVERT(VALUES(`tenantId`) USING utf8mb4) AS BINARY) AND `deletedAt` IS NULL';
    expect(my.syntax.insertInto('`t`', ['`a`'])).toBe('INSERT INTO `t` (`a`)');
    expect(my.syntax.upsertClause(spec(q))).toBe(
      'ON DUPLICATE KEY UPDATE ' +
        [
          `\`name\` = IF(${guard}, VALUES(\`name\`), \`name\`)`,
          `\`salary\` = IF(${guard}, VALUES(\`salary\`), \`salary\`)`,
          `\`version\` = IF(${guard}, \`version\` + 1, \`version\`)`,
          `\`updatedAt\` = IF(${guard}, CURRENT_TIMESTAMP(6), \`updatedAt\`)`,
        ].join(', '),
    );
    expect(my.syntax.upsertClause(skip(q))).toBe('ON DUPLICATE KEY UPDATE `id` = `id`');
  });

  it('only PostgreSQL can flag inserted rows in RETURNING', () => {
    expect([
      pg.syntax.upsertInsertedFlag(),
      my.syntax.upsertInsertedFlag(),
      lite.syntax.upsertInsertedFlag(),
    ]).toEqual(['(xmax = 0)', undefined, undefined]);
  });
});

describe('capabilities', () => {
  it('report the bind-parameter limits, placeholders and RETURNING support', () => {
    expect([
      pg.capabilities.maxBindParameters,
      my.capabilities.maxBindParameters,
      lite.capabilities.maxBindParameters,
    ]).toEqual([65_535, 65_535, 32_766]);
    expect([
      pg.syntax.placeholder(0),
      pg.syntax.placeholder(9),
      my.syntax.placeholder(3),
      lite.syntax.placeholder(3),
    ]).toEqual(['$1', '$10', '?', '?']);
    expect([
      pg.capabilities.returning,
      my.capabilities.returning,
      lite.capabilities.returning,
    ]).toEqual([
      { insert: true, update: true, delete: true },
      { insert: false, update: false, delete: false },
      { insert: true, update: true, delete: true },
    ]);
    expect(new MysqlAdapter(undefined, true).capabilities.returning).toEqual({
      insert: true,
      update: false,
      delete: false,
    });
    expect(
      ['10.11.19', '10.5.0', '10.4.32', '11.4.2', '10.11.19-MariaDB-0+deb12u1', undefined].map(
        insertReturningOf,
      ),
    ).toEqual([true, true, false, true, true, false]);
    expect(my.capabilities.maxStatementBytes).toBe(16 * 1024 * 1024);
    expect([
      pg.syntax.quoteIdentifier('a"b'),
      my.syntax.quoteIdentifier('a`b'),
      lite.syntax.quoteIdentifier('x'),
    ]).toEqual(['"a""b"', '`a``b`', '"x"']);
  });
});
