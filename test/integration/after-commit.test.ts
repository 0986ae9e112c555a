import type { EntityEvent } from '../../src';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { Employee, EmployeeRepository } from '../support/employee';
import { DIALECTS } from '../support/servers';

// Write effects (events now; cache invalidation too) run at commit, and a rollback drops them.
describe.each(DIALECTS)('effects at commit on %s', (dialect) => {
  let db: TestDataSource;
  let repo: EmployeeRepository;
  let created: string[];

  beforeAll(async () => {
    db = await openDataSource(dialect, [Employee]);
  });
  afterAll(() => db.dataSource.destroy());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM employees');
    repo = new EmployeeRepository(db.dataSource);
    created = [];
    repo.on('created', (e: EntityEvent<Employee>) => created.push(e.record.name));
  });

  const dto = (name: string) => ({
    name,
    email: `${name}@example.com`,
    department: 'eng',
    salary: 1,
  });

  it('fires outside a transaction before the call returns', async () => {
    await repo.create(dto('solo'));
    expect(created).toEqual(['solo']);
  });

  it('holds events until the transaction commits', async () => {
    await db.dataSource.transaction(async (manager) => {
      await repo.withManager(manager).create(dto('a'));
      expect(created).toEqual([]);
    });
    expect(created).toEqual(['a']);
  });

  it('drops the events of a rolled-back transaction', async () => {
    await expect(
      db.dataSource.transaction(async (manager) => {
        await repo.withManager(manager).create(dto('gone'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(created).toEqual([]);
    expect(await repo.count()).toBe(0);
  });

  it('drops only the rolled-back savepoint of a nested transaction', async () => {
    await db.dataSource.transaction(async (outer) => {
      await repo.withManager(outer).create(dto('kept'));
      await expect(
        outer.transaction(async (inner) => {
          await repo.withManager(inner).create(dto('undone'));
          throw new Error('inner abort');
        }),
      ).rejects.toThrow('inner abort');
      await outer.transaction((inner) => repo.withManager(inner).create(dto('released')));
      expect(created).toEqual([]);
    });
    expect(created).toEqual(['kept', 'released']);
    const names = (await repo.list()).map((e) => e.name).sort();
    expect(names).toEqual(['kept', 'released']);
  });

  it('holds bulk events until commit', async () => {
    const bulk: number[] = [];
    repo.on('bulkCreated', (e) => bulk.push(e.count));
    await db.dataSource.transaction(async (manager) => {
      await repo.withManager(manager).bulkCreate([dto('b1'), dto('b2')]);
      expect(bulk).toEqual([]);
    });
    expect(bulk).toEqual([2]);
  });
});
