import { DataSource } from 'typeorm';
import { ConfigurationError, dataSourceOptionsFromUrl, DEFAULT_DATABASE_URL } from '../../src';
import { itWhere, TYPEORM_MAJOR } from '../support/servers';

/** The options' `type`-specific fields, as a plain object for exact comparison. */
const options = (...args: Parameters<typeof dataSourceOptionsFromUrl>) =>
  ({ ...dataSourceOptionsFromUrl(...args) }) as Record<string, unknown>;

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('dataSourceOptionsFromUrl: URLs', () => {
  it('maps postgres:// to the pg driver with defaults', () => {
    const url = 'postgres://app:secret@db.example.com:5432/app';
    expect(options(url, {})).toEqual({
      type: 'postgres',
      url,
      poolSize: 10,
      connectTimeoutMS: 10_000,
      synchronize: false,
      logging: false,
    });
  });

  it('accepts postgresql:// and keeps the URL as given', () => {
    const url = 'postgresql://app@localhost/app?sslmode=require';
    expect(options(url, {})).toEqual({
      type: 'postgres',
      url,
      poolSize: 10,
      connectTimeoutMS: 10_000,
      synchronize: false,
      logging: false,
    });
  });

  it('maps mysql:// to mysql2 with exact big numbers', () => {
    const url = 'mysql://root:pw@127.0.0.1:3306/app';
    expect(options(url, {})).toEqual({
      type: 'mysql',
      url,
      poolSize: 10,
      connectTimeout: 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      synchronize: false,
      logging: false,
    });
  });

  it('maps mariadb:// to type mariadb with the URL rewritten to mysql:', () => {
    expect(options('mariadb://root@db:3306/app', {})).toEqual({
      type: 'mariadb',
      url: 'mysql://root@db:3306/app',
      poolSize: 10,
      connectTimeout: 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      synchronize: false,
      logging: false,
    });
  });

  it('rewrites only the scheme of a mariadb URL', () => {
    expect(options('mariadb://mariadb:mariadb:x@mariadb/mariadb', {}).url).toBe(
      'mysql://mariadb:mariadb:x@mariadb/mariadb',
    );
  });

  it('maps sqlite:<path> to better-sqlite3 with WAL on', () => {
    expect(options('sqlite:/var/data/app.db', {})).toEqual({
      type: 'better-sqlite3',
      database: '/var/data/app.db',
      enableWAL: true,
      timeout: 5_000,
      synchronize: false,
      logging: false,
    });
    expect(options('sqlite:relative/app.db', {})).toMatchObject({
      database: 'relative/app.db',
      enableWAL: true,
    });
  });

  it('maps sqlite::memory: to an in-memory database with WAL off', () => {
    expect(options('sqlite::memory:', {})).toEqual({
      type: 'better-sqlite3',
      database: ':memory:',
      enableWAL: false,
      timeout: 5_000,
      synchronize: false,
      logging: false,
    });
  });

  it('uses in-memory SQLite when no URL is given', () => {
    expect(DEFAULT_DATABASE_URL).toBe('sqlite::memory:');
    expect(options(undefined, {})).toEqual({
      type: 'better-sqlite3',
      database: ':memory:',
      enableWAL: false,
      timeout: 5_000,
      synchronize: false,
      logging: false,
    });
  });

  it('rejects sqlite: without a path', () => {
    const error = configurationError(() => dataSourceOptionsFromUrl('sqlite:', {}));
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toBe('sqlite: URL needs a path or :memory:');
  });

  itWhere(TYPEORM_MAJOR >= 1)(
    'refuses SQLITE_DRIVER=sqlite3 on TypeORM 1.x, which has no such driver, naming better-sqlite3',
    () => {
      const error = configurationError(() =>
        dataSourceOptionsFromUrl('sqlite::memory:', { SQLITE_DRIVER: 'sqlite3' }),
      );
      expect(error.code).toBe('INVALID_CONFIGURATION');
      expect(error.message).toBe(
        "SQLITE_DRIVER=sqlite3: this TypeORM (1.x) has no sqlite3 driver (TypeORM 0.3's type: 'sqlite'); " +
          'use better-sqlite3 instead: npm install better-sqlite3, and leave SQLITE_DRIVER unset',
      );
      // What TypeORM itself says to a DataSource given that type, before the library can speak.
      expect(
        () =>
          new DataSource({
            ...dataSourceOptionsFromUrl('sqlite::memory:', {}),
            type: 'sqlite',
          } as never),
      ).toThrow(/Wrong driver: "sqlite"/);
    },
  );

  itWhere(TYPEORM_MAJOR === 0)(
    "maps SQLITE_DRIVER=sqlite3 to TypeORM 0.3's type sqlite, which opens through node-sqlite3",
    async () => {
      const given = options('sqlite::memory:', {
        SQLITE_DRIVER: 'sqlite3',
        SQLITE_BUSY_TIMEOUT_MS: '750',
      });
      expect(given).toEqual({
        type: 'sqlite',
        database: ':memory:',
        enableWAL: false,
        busyTimeout: 750,
        synchronize: false,
        logging: false,
      });
      const dataSource = new DataSource(given as never);
      await dataSource.initialize();
      try {
        expect(await dataSource.query('SELECT 1 + 1 AS two')).toEqual([{ two: 2 }]);
        expect(dataSource.driver.constructor.name).toBe('SqliteDriver');
      } finally {
        await dataSource.destroy();
      }
    },
  );

  it('rejects an unknown SQLITE_DRIVER', () => {
    const error = configurationError(() =>
      dataSourceOptionsFromUrl('sqlite::memory:', { SQLITE_DRIVER: 'sql.js' }),
    );
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toBe('SQLITE_DRIVER must be better-sqlite3 or sqlite3, got "sql.js"');
    expect(options('sqlite::memory:', { SQLITE_DRIVER: '' }).type).toBe('better-sqlite3');
  });

  it.each(['oracle://host/db', 'mssql://sa@host/db', 'redis://localhost:6379', 'mysql2://h/db'])(
    'rejects the scheme of %s',
    (url) => {
      const error = configurationError(() => dataSourceOptionsFromUrl(url, {}));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe('INVALID_CONFIGURATION');
      expect(error.name).toBe('ConfigurationError');
      expect(error.message).toBe(
        `unsupported DATABASE_URL scheme "${url.slice(0, url.indexOf('://'))}": use postgres://, mysql://, mariadb:// or sqlite:`,
      );
    },
  );

  it.each(['', 'db.example.com:5432', 'just-a-name'])('rejects %p', (url) => {
    const error = configurationError(() => dataSourceOptionsFromUrl(url, {}));
    expect(error.code).toBe('INVALID_CONFIGURATION');
  });
});

describe('dataSourceOptionsFromUrl: environment', () => {
  const PG = 'postgres://u@h/db';
  const MYSQL = 'mysql://u@h/db';

  it('reads DB_POOL_SIZE', () => {
    expect(options(PG, { DB_POOL_SIZE: '25' }).poolSize).toBe(25);
    expect(options(MYSQL, { DB_POOL_SIZE: '3' }).poolSize).toBe(3);
  });

  it('reads DB_CONNECT_TIMEOUT_MS into each driver option', () => {
    expect(options(PG, { DB_CONNECT_TIMEOUT_MS: '2500' }).connectTimeoutMS).toBe(2500);
    expect(options(MYSQL, { DB_CONNECT_TIMEOUT_MS: '2500' }).connectTimeout).toBe(2500);
  });

  it('reads SQLITE_BUSY_TIMEOUT_MS', () => {
    expect(options('sqlite:app.db', { SQLITE_BUSY_TIMEOUT_MS: '750' }).timeout).toBe(750);
  });

  it('treats an empty number as unset', () => {
    expect(options(PG, { DB_POOL_SIZE: '', DB_CONNECT_TIMEOUT_MS: '' })).toMatchObject({
      poolSize: 10,
      connectTimeoutMS: 10_000,
    });
    expect(options('sqlite::memory:', { SQLITE_BUSY_TIMEOUT_MS: '' }).timeout).toBe(5_000);
  });

  it.each<[string | undefined, boolean]>([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
    ['yes', false],
    ['TRUE', false],
    [undefined, false],
  ])('reads DB_LOGGING and DB_SYNCHRONIZE %p as %p', (value, expected) => {
    expect(options(PG, { DB_LOGGING: value })).toMatchObject({
      logging: expected,
      synchronize: false,
    });
    expect(options('sqlite::memory:', { DB_SYNCHRONIZE: value })).toMatchObject({
      synchronize: expected,
      logging: false,
    });
  });

  it('lets extra options override the environment', () => {
    const entities = [class Thing {}];
    expect(
      options(
        MYSQL,
        { DB_SYNCHRONIZE: 'true', DB_LOGGING: 'true' },
        { synchronize: false, entities },
      ),
    ).toMatchObject({ synchronize: false, logging: true, entities });
  });

  it.each([
    ['DB_POOL_SIZE', PG],
    ['DB_CONNECT_TIMEOUT_MS', MYSQL],
    ['SQLITE_BUSY_TIMEOUT_MS', 'sqlite::memory:'],
  ])('rejects an invalid %s', (name, url) => {
    for (const raw of ['abc', '0', '-5', '1.5', '9007199254740993', 'NaN']) {
      const error = configurationError(() => dataSourceOptionsFromUrl(url, { [name]: raw }));
      expect(error.code).toBe('INVALID_CONFIGURATION');
      expect(error.message).toBe(`${name} must be a positive integer, got "${raw}"`);
    }
  });

  it('reads process.env by default', () => {
    const saved = process.env.SQLITE_BUSY_TIMEOUT_MS;
    process.env.SQLITE_BUSY_TIMEOUT_MS = '1234';
    try {
      expect(options('sqlite::memory:').timeout).toBe(1234);
    } finally {
      if (saved === undefined) delete process.env.SQLITE_BUSY_TIMEOUT_MS;
      else process.env.SQLITE_BUSY_TIMEOUT_MS = saved;
    }
  });
});

describe('regression: URLs without "://"', () => {
  it.each(['mysql:', 'postgresX', 'db.example.com:5432'])('%s is refused', (url) => {
    const error = configurationError(() => options(url, {}));
    expect(error.code).toBe('INVALID_CONFIGURATION');
  });
});
