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

const STANDARD_LEVELS = Object.freeze([
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
]);
const SQLITE_LEVELS = Object.freeze(['READ UNCOMMITTED', 'SERIALIZABLE']);

/**
 * What TypeORM 0.3.x's query runners accept, by driver type, as 1.x's drivers list it in
 * `supportedIsolationLevels`: its SQLite runners refuse all but two; the others pass the level to
 * the server.
 */
const LEVELS_BEFORE_1: Readonly<Record<string, readonly string[]>> = Object.freeze({
  postgres: STANDARD_LEVELS,
  mysql: STANDARD_LEVELS,
  mariadb: STANDARD_LEVELS,
  sqlite: SQLITE_LEVELS,
  'better-sqlite3': SQLITE_LEVELS,
});

/**
 * The isolation levels the driver accepts: its `supportedIsolationLevels` on TypeORM 1.x; on 0.3.x,
 * which has none, what its runners accept ({@link LEVELS_BEFORE_1}), or `undefined` for a driver
 * not listed there: then the driver itself refuses a level it cannot set.
 */
export function supportedIsolationLevels(driver: Driver): readonly string[] | undefined {
  const own = (driver as { supportedIsolationLevels?: readonly string[] }).supportedIsolationLevels;
  if (own) return own;
  const { type } = driver.options;
  return Object.hasOwn(LEVELS_BEFORE_1, type) ? LEVELS_BEFORE_1[type] : undefined;
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
