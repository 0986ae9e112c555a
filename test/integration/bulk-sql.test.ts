import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { expectSql } from '../support/expect-sql';
import { builtInTarget, TARGETS } from '../support/servers';

const person = (i: number) => ({ name: `P${i}`, email: `p${i}@example.com`, salary: 1000 + i });

// The SQL of each bulk path, pinned per dialect side by side: what dryRun.statements plans, and
// for the CASE update (which has no dry run) what the call sent.
describe.each(TARGETS)('bulk SQL on %s', (given) => {
  const target = builtInTarget(given);
  let db: TestDataSource;
  let repo: EmployeeRepository;
  /** The statements without the worker's PostgreSQL schema, which differs between runs. */
  let unqualified: (statements: readonly string[]) => string[];
  beforeAll(async () => {
    db = await openDataSource(given, [Employee]);
    repo = new EmployeeRepository(db.dataSource);
    const schema = (db.dataSource.options as { schema?: string }).schema;
    unqualified = (statements) =>
      statements.map((sql) => (schema ? sql.replaceAll(`"${schema}".`, '') : sql));
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(() => db.dataSource.query('DELETE FROM employees'));

  it('bulkCreate with ids: VALUES … RETURNING, unnest on PostgreSQL, plain VALUES on MySQL', async () => {
    const plan = await repo.bulkCreate([person(1), person(2)], { dryRun: true });
    expectSql(target, unqualified(plan.dryRun!.statements), {
      sqlite: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')), (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')) RETURNING "id"',
      ],
      sqlite3: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')), (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'))',
      ],
      postgres: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") SELECT *, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM unnest($1::character varying[], $2::character varying[], $3::integer[]) RETURNING "id"',
      ],
      mysql: [
        'INSERT INTO `employees` (`email`, `name`, `salary`, `version`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)), (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6))',
      ],
      mariadb: [
        'INSERT INTO `employees` (`email`, `name`, `salary`, `version`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)), (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)) RETURNING `id`',
      ],
    });
  });

  it('bulkCreate without ids: COPY on PostgreSQL', async () => {
    const plan = await repo.bulkCreate([person(1), person(2)], { dryRun: true, returnIds: false });
    expectSql(target, unqualified(plan.dryRun!.statements), {
      sqlite: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')), (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')) RETURNING "id"',
      ],
      sqlite3: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')), (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'))',
      ],
      postgres: ['COPY "employees" ("email", "name", "salary", "version") FROM STDIN'],
      mysql: [
        'INSERT INTO `employees` (`email`, `name`, `salary`, `version`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)), (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6))',
      ],
      mariadb: [
        'INSERT INTO `employees` (`email`, `name`, `salary`, `version`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)), (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)) RETURNING `id`',
      ],
    });
  });

  it('bulkUpsert: ON CONFLICT … DO UPDATE or ON DUPLICATE KEY UPDATE, leaving soft-deleted rows alone', async () => {
    const plan = await repo.bulkUpsert([person(1), person(2)], {
      conflictTarget: ['email'],
      dryRun: true,
    });
    expectSql(target, unqualified(plan.dryRun!.statements), {
      sqlite: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')), (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "salary" = EXCLUDED."salary", "version" = "t0"."version" + 1, "updatedAt" = STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\') WHERE "t0"."deletedAt" IS NULL RETURNING "id", "email"',
      ],
      sqlite3: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')), (?, ?, ?, 1, STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\'), STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\')) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "salary" = EXCLUDED."salary", "version" = "t0"."version" + 1, "updatedAt" = STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\') WHERE "t0"."deletedAt" IS NULL',
      ],
      postgres: [
        'INSERT INTO "employees" AS "t0" ("email", "name", "salary", "version", "createdAt", "updatedAt") SELECT *, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM unnest($1::character varying[], $2::character varying[], $3::integer[]) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "salary" = EXCLUDED."salary", "version" = "t0"."version" + 1, "updatedAt" = CURRENT_TIMESTAMP WHERE "t0"."deletedAt" IS NULL RETURNING "id", "email", (xmax = 0) AS "__inserted"',
      ],
      mysql: [
        'INSERT INTO `employees` (`email`, `name`, `salary`, `version`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)), (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE `name` = IF(`deletedAt` IS NULL, VALUES(`name`), `name`), `salary` = IF(`deletedAt` IS NULL, VALUES(`salary`), `salary`), `version` = IF(`deletedAt` IS NULL, `version` + 1, `version`), `updatedAt` = IF(`deletedAt` IS NULL, CURRENT_TIMESTAMP(6), `updatedAt`)',
      ],
      mariadb: [
        'INSERT INTO `employees` (`email`, `name`, `salary`, `version`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)), (?, ?, ?, 1, CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE `name` = IF(`deletedAt` IS NULL, VALUES(`name`), `name`), `salary` = IF(`deletedAt` IS NULL, VALUES(`salary`), `salary`), `version` = IF(`deletedAt` IS NULL, `version` + 1, `version`), `updatedAt` = IF(`deletedAt` IS NULL, CURRENT_TIMESTAMP(6), `updatedAt`) RETURNING `id`, `email`',
      ],
    });
  });

  it('bulkUpdateByIds: one CASE update', async () => {
    const { createdIds } = await repo.bulkCreate([person(1), person(2)]);
    db.queries.reset();
    await repo.bulkUpdateByIds([
      { id: createdIds[0]!, salary: 10 },
      { id: createdIds[1]!, salary: 20 },
    ]);
    const updates = db.queries.queries.filter((sql) => /^\s*UPDATE/i.test(sql));
    expectSql(target, unqualified(updates), {
      sqlite: [
        'UPDATE "employees" SET "salary" = CASE "id" WHEN ? THEN ? WHEN ? THEN ? ELSE "salary" END, "version" = "version" + 1, "updatedAt" = STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\') WHERE "id" IN (?, ?) AND "deletedAt" IS NULL RETURNING "id"',
      ],
      sqlite3: [
        'UPDATE "employees" SET "salary" = CASE "id" WHEN ? THEN ? WHEN ? THEN ? ELSE "salary" END, "version" = "version" + 1, "updatedAt" = STRFTIME(\'%Y-%m-%d %H:%M:%f\', \'NOW\') WHERE "id" IN (?, ?) AND "deletedAt" IS NULL',
      ],
      postgres: [
        'UPDATE "employees" SET "salary" = CASE "id" WHEN $1 THEN $2 WHEN $3 THEN $4 ELSE "salary" END, "version" = "version" + 1, "updatedAt" = CURRENT_TIMESTAMP WHERE "id" IN ($5, $6) AND "deletedAt" IS NULL RETURNING "id"',
      ],
      mysql: [
        'UPDATE `employees` SET `salary` = CASE `id` WHEN ? THEN ? WHEN ? THEN ? ELSE `salary` END, `version` = `version` + 1, `updatedAt` = CURRENT_TIMESTAMP(6) WHERE `id` IN (?, ?) AND `deletedAt` IS NULL',
      ],
      mariadb: [
        'UPDATE `employees` SET `salary` = CASE `id` WHEN ? THEN ? WHEN ? THEN ? ELSE `salary` END, `version` = `version` + 1, `updatedAt` = CURRENT_TIMESTAMP(6) WHERE `id` IN (?, ?) AND `deletedAt` IS NULL',
      ],
    });
    expect((await repo.findById(createdIds[1]!))!.salary).toBe(20);
  });
});
