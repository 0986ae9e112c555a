import type { DataSource } from 'typeorm';
import { ConfigurationError } from '../errors';
import type { DialectAdapter } from './dialect-adapter';
import { insertReturningOf, MysqlAdapter } from './mysql-adapter';
import { PostgresAdapter } from './postgres-adapter';
import { SqliteAdapter } from './sqlite-adapter';

/** The server's version as TypeORM read it on connecting; unknown before `initialize()`. */
const versionOf = (dataSource: DataSource) => (dataSource.driver as { version?: string }).version;

/** The driver's open connection (SQLite's one `Database`); undefined before `initialize()`. */
const connectionOf = (dataSource: DataSource) =>
  (dataSource.driver as { databaseConnection?: unknown }).databaseConnection;

const ADAPTERS: Readonly<Record<string, (dataSource: DataSource) => DialectAdapter>> =
  Object.freeze({
    postgres: () => new PostgresAdapter(),
    mysql: () => new MysqlAdapter(),
    // As TypeORM does, MariaDB's own features only where the DataSource says `type: 'mariadb'`.
    mariadb: (dataSource) => new MysqlAdapter(undefined, insertReturningOf(versionOf(dataSource))),
    'better-sqlite3': (dataSource) => new SqliteAdapter(() => connectionOf(dataSource)),
    sqlite: (dataSource) => new SqliteAdapter(() => connectionOf(dataSource)),
  });

const cache = new WeakMap<DataSource, DialectAdapter>();

/** The adapter for a DataSource's driver; one instance per DataSource. */
export function adapterFor(dataSource: DataSource): DialectAdapter {
  let adapter = cache.get(dataSource);
  if (!adapter) {
    const make = ADAPTERS[dataSource.options.type];
    if (!make) {
      throw new ConfigurationError(
        `unsupported database type "${dataSource.options.type}": use postgres, mysql, mariadb or better-sqlite3`,
      );
    }
    adapter = make(dataSource);
    // Before initialize() the server version is unknown; ask again once it is.
    if (dataSource.isInitialized) cache.set(dataSource, adapter);
  }
  return adapter;
}
