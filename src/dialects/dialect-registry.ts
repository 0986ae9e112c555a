import type { DataSource } from 'typeorm';
import { callback } from '../config/option-checks';
import { ConfigurationError } from '../errors';
import { DialectAdapter } from './dialect-adapter';
import { insertReturningOf, MysqlAdapter } from './mysql-adapter';
import { NodeSqlite3Adapter } from './node-sqlite3-adapter';
import { PostgresAdapter } from './postgres-adapter';
import { SqliteAdapter } from './sqlite-adapter';

/**
 * Builds the dialect adapter of one DataSource. Called once the DataSource is initialized (and
 * again for each repository built before that), so it may read what TypeORM learnt on connecting:
 * `dataSource.options`, `dataSource.driver` (its `version`, its connection).
 */
export type DialectFactory = (dataSource: DataSource) => DialectAdapter;

/** The server's version as TypeORM read it on connecting; unknown before `initialize()`. */
const versionOf = (dataSource: DataSource) => (dataSource.driver as { version?: string }).version;

/** The driver's open connection (SQLite's one `Database`); undefined before `initialize()`. */
const connectionOf = (dataSource: DataSource) =>
  (dataSource.driver as { databaseConnection?: unknown }).databaseConnection;

const BUILT_IN: Readonly<Record<string, DialectFactory>> = Object.freeze({
  postgres: () => new PostgresAdapter(),
  mysql: () => new MysqlAdapter(),
  // As TypeORM does, MariaDB's own features only where the DataSource says `type: 'mariadb'`.
  mariadb: (dataSource) => new MysqlAdapter(undefined, insertReturningOf(versionOf(dataSource))),
  'better-sqlite3': (dataSource) => new SqliteAdapter(() => connectionOf(dataSource)),
  // node-sqlite3, TypeORM 0.3's only.
  sqlite: () => new NodeSqlite3Adapter(),
});

const registered = new Map<string, DialectFactory>();
const chosen = new WeakMap<DataSource, string>();
let version = 0;

/**
 * Registers a dialect for DataSources of a TypeORM `type` the library does not ship (such as
 * `'cockroachdb'`), or replaces a built-in one (`'postgres'`, for a server that speaks its
 * protocol but not all of its SQL). A registered dialect wins over the built-in of the same
 * type; registering a type again replaces its factory. Register at startup, before the first
 * repository of such a DataSource is built: a repository keeps the adapter it was built with.
 *
 * The factory usually returns a subclass of a built-in adapter that passes the parts that
 * differ (`PostgresAdapter`, `MysqlAdapter`, `SqliteAdapter`; see docs/architecture.md).
 *
 * @param type the TypeORM `type` of the DataSources that use it (`dataSource.options.type`), or
 *   a name of its own for {@link useDialect}
 * @param factory builds the adapter of one DataSource
 * @example
 * registerDialect('cockroachdb', () => new CockroachAdapter());
 * @throws ConfigurationError for an empty type or a factory that is not a function
 */
export function registerDialect(type: string, factory: DialectFactory): void {
  if (typeof type !== 'string' || type === '') {
    throw new ConfigurationError(`registerDialect: the type must be a non-empty string`);
  }
  callback(`registerDialect('${type}') factory`, factory);
  registered.set(type, factory);
  version++;
}

/**
 * Makes `dataSource` use the dialect registered as `type` instead of the one its TypeORM type
 * names: for a server reached through another's driver (YugabyteDB through `type: 'postgres'`)
 * in a process that also talks to the real one. Call it before the first repository of the
 * DataSource is built.
 *
 * @param type a type given to {@link registerDialect}, or a built-in one (`'postgres'`)
 * @throws ConfigurationError when no dialect is registered (or built in) as `type`
 */
export function useDialect(dataSource: DataSource, type: string): void {
  if (!registered.has(type) && !Object.hasOwn(BUILT_IN, type)) {
    throw new ConfigurationError(`useDialect: no dialect is registered as "${type}"`);
  }
  chosen.set(dataSource, type);
}

/** Changes on every registration, so that a cached adapter can tell it may be stale. */
export function registryVersion(): number {
  return version;
}

/** The dialect type `dataSource` uses: its {@link useDialect} choice, else its TypeORM type. */
export function dialectTypeOf(dataSource: DataSource): string {
  return chosen.get(dataSource) ?? dataSource.options.type;
}

/**
 * A new adapter for `dataSource`: the registered dialect of its type ({@link dialectTypeOf}),
 * else the built-in one.
 * @throws ConfigurationError for a type nothing is registered or built in for
 */
export function newAdapter(dataSource: DataSource): DialectAdapter {
  const type = dialectTypeOf(dataSource);
  const make = registered.get(type) ?? (Object.hasOwn(BUILT_IN, type) ? BUILT_IN[type] : undefined);
  if (!make) {
    throw new ConfigurationError(
      `unsupported database type "${type}": use postgres, mysql, mariadb, better-sqlite3 (or sqlite on TypeORM 0.3), or registerDialect('${type}', …)`,
    );
  }
  const adapter = make(dataSource);
  if (!(adapter instanceof DialectAdapter)) {
    throw new ConfigurationError(`the dialect registered as "${type}" built no DialectAdapter`);
  }
  return adapter;
}
