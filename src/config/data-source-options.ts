import type { DataSourceOptions } from 'typeorm';
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
 * | `sqlite:<path>` or `sqlite::memory:` | SQLite via `better-sqlite3` |
 *
 * Environment: `DB_POOL_SIZE` (default 10), `DB_CONNECT_TIMEOUT_MS` (default 10000),
 * `DB_LOGGING` (`true` logs every query; default false), `DB_SYNCHRONIZE` (default false),
 * `SQLITE_BUSY_TIMEOUT_MS` (default 5000).
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

function flag(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return positiveIntegerText(name, raw);
}
