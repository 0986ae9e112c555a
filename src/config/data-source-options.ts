import type { DataSourceOptions } from 'typeorm';
import { hasNodeSqlite3Driver } from '../compat/typeorm-versions';
import { ConfigurationError } from '../errors';
import { positiveIntegerText } from './option-checks';

type Env = Readonly<Record<string, string | undefined>>;
type Common = Pick<DataSourceOptions, 'entities' | 'synchronize' | 'logging'>;

/** The database used when `DATABASE_URL` is not set: an in-memory SQLite database. */
export const DEFAULT_DATABASE_URL = 'sqlite::memory:';

/**
 * TypeORM options from a database URL and environment variables:
 *
 * | URL | dialect |
 * |---|---|
 * | `postgres://user:pass@host:5432/db` (or `postgresql://`) | PostgreSQL via `pg` |
 * | `mysql://…` or `mariadb://…` | MySQL/MariaDB via `mysql2` |
 * | `sqlite:<path>` or `sqlite::memory:` | SQLite via `better-sqlite3` (or `sqlite3`, see below) |
 *
 * Environment: `DB_POOL_SIZE` (default 10), `DB_CONNECT_TIMEOUT_MS` (default 10000),
 * `DB_LOGGING` (`true` logs every query; default false), `DB_SYNCHRONIZE` (default false),
 * `SQLITE_BUSY_TIMEOUT_MS` (default 5000), `SQLITE_DRIVER` (`better-sqlite3`, the default, or
 * `sqlite3`: TypeORM 0.3's `type: 'sqlite'`, slower, see docs/dialects.md).
 *
 * @throws ConfigurationError for an unknown scheme or `SQLITE_DRIVER`, and for
 *   `SQLITE_DRIVER=sqlite3` on TypeORM 1.x, which has no such driver
 */
export function dataSourceOptionsFromUrl(
  url: string = DEFAULT_DATABASE_URL,
  env: Env = process.env,
  extra: Partial<Common> = {},
): DataSourceOptions {
  const common: Common = {
    synchronize: flag(env.DB_SYNCHRONIZE),
    logging: flag(env.DB_LOGGING),
    ...extra,
  };
  const poolSize = int(env, 'DB_POOL_SIZE', 10);
  const connectTimeoutMs = int(env, 'DB_CONNECT_TIMEOUT_MS', 10_000);

  if (url.startsWith('sqlite:')) {
    const database = url.slice('sqlite:'.length);
    if (!database) throw new ConfigurationError('sqlite: URL needs a path or :memory:');
    if (sqliteDriver(env) === 'sqlite3') {
      const busyTimeout = int(env, 'SQLITE_BUSY_TIMEOUT_MS', 5_000);
      // TypeORM 1.x's types know no `type: 'sqlite'`; hasNodeSqlite3Driver() said it exists.
      const options = { type: 'sqlite', database, enableWAL: database !== ':memory:', busyTimeout };
      return { ...options, ...common } as unknown as DataSourceOptions;
    }
    return {
      type: 'better-sqlite3',
      database,
      // WAL lets readers run during a write; it has no meaning in memory.
      enableWAL: database !== ':memory:',
      timeout: int(env, 'SQLITE_BUSY_TIMEOUT_MS', 5_000),
      ...common,
    };
  }
  const at = url.indexOf('://');
  const scheme = at > 0 ? url.slice(0, at) : '';
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return {
        type: 'postgres',
        url,
        poolSize,
        connectTimeoutMS: connectTimeoutMs,
        ...common,
      };
    case 'mysql':
    case 'mariadb':
      return {
        type: scheme,
        url: url.replace(/^mariadb:/, 'mysql:'),
        poolSize,
        connectTimeout: connectTimeoutMs,
        // DECIMAL and BIGINT stay exact strings, as on PostgreSQL.
        supportBigNumbers: true,
        bigNumberStrings: true,
        ...common,
      };
    default:
      throw new ConfigurationError(
        `unsupported DATABASE_URL scheme "${scheme || url}": use postgres://, mysql://, mariadb:// or sqlite:`,
      );
  }
}

const SQLITE_DRIVERS = Object.freeze({ 'better-sqlite3': true, sqlite3: true });

/** `SQLITE_DRIVER`, checked against the TypeORM installed. */
function sqliteDriver(env: Env): keyof typeof SQLITE_DRIVERS {
  const driver = env.SQLITE_DRIVER || 'better-sqlite3';
  if (!Object.hasOwn(SQLITE_DRIVERS, driver)) {
    throw new ConfigurationError(
      `SQLITE_DRIVER must be better-sqlite3 or sqlite3, got ${JSON.stringify(driver)}`,
    );
  }
  if (driver === 'sqlite3' && !hasNodeSqlite3Driver()) {
    throw new ConfigurationError(
      "SQLITE_DRIVER=sqlite3: this TypeORM (1.x) has no sqlite3 driver (TypeORM 0.3's type: 'sqlite'); " +
        'use better-sqlite3 instead: npm install better-sqlite3, and leave SQLITE_DRIVER unset',
    );
  }
  return driver as keyof typeof SQLITE_DRIVERS;
}

function flag(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return positiveIntegerText(name, raw);
}
