import type { DataSource, Driver, EntityManager } from 'typeorm';

// Every difference between the TypeORM majors the library runs on (0.3.x and 1.x) is handled
// here, and nothing else in the library checks which one it has.

/**
 * The DataSource a manager belongs to: `manager.dataSource` on TypeORM 1.x, where `connection`
 * is deprecated; 0.3.x has only `manager.connection`.
 */
export function managerDataSource(manager: EntityManager): DataSource {
  return (manager as { dataSource?: DataSource }).dataSource ?? manager.connection;
}

/**
 * The isolation levels the driver accepts, or `undefined` where TypeORM does not say (0.3.x has
 * no `supportedIsolationLevels`): then the dialect's list (`DialectCapabilities.isolationLevels`)
 * applies.
 */
export function supportedIsolationLevels(driver: Driver): readonly string[] | undefined {
  return (driver as { supportedIsolationLevels?: readonly string[] }).supportedIsolationLevels;
}

/**
 * Whether this TypeORM has the node-sqlite3 driver (`type: 'sqlite'`): 0.3.x has; 1.x removed it
 * in favour of better-sqlite3, and refuses the type when the DataSource is constructed.
 */
export function hasNodeSqlite3Driver(): boolean {
  try {
    require.resolve('typeorm/driver/sqlite/SqliteDriver');
    return true;
  } catch {
    return false;
  }
}
