import type { DataSource } from 'typeorm';
import { ConfigurationError } from '../errors';
import type { DialectAdapter } from './dialect-adapter';
import { MysqlAdapter } from './mysql-adapter';
import { PostgresAdapter } from './postgres-adapter';
import { SqliteAdapter } from './sqlite-adapter';

const ADAPTERS: Readonly<Record<string, () => DialectAdapter>> = Object.freeze({
  postgres: () => new PostgresAdapter(),
  mysql: () => new MysqlAdapter(),
  mariadb: () => new MysqlAdapter(),
  'better-sqlite3': () => new SqliteAdapter(),
  sqlite: () => new SqliteAdapter(),
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
    adapter = make();
    cache.set(dataSource, adapter);
  }
  return adapter;
}
