import Database from 'better-sqlite3';
import {
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  RepositoryError,
  TransientDatabaseError,
} from '../../src';
import type { DialectAdapter } from '../../src/dialects/dialect-adapter';
import { MysqlAdapter } from '../../src/dialects/mysql-adapter';
import { PostgresAdapter } from '../../src/dialects/postgres-adapter';
import { SqliteAdapter } from '../../src/dialects/sqlite-adapter';

type ErrorClass =
  | typeof ConflictError
  | typeof ConstraintViolationError
  | typeof TransientDatabaseError
  | typeof DatabaseError;

/** What a translated error must be: its class, `code` and, for transient errors, `outcome`. */
type Expected = readonly [ErrorClass, string, ('not-applied' | 'unknown')?];

const UNIQUE: Expected = [ConflictError, 'UNIQUE_VIOLATION'];
const NOT_NULL: Expected = [ConstraintViolationError, 'NOT_NULL_VIOLATION'];
const FOREIGN_KEY: Expected = [ConstraintViolationError, 'FOREIGN_KEY_VIOLATION'];
const CHECK: Expected = [ConstraintViolationError, 'CHECK_VIOLATION'];
const DEADLOCK: Expected = [TransientDatabaseError, 'DEADLOCK', 'not-applied'];
const SERIALIZATION: Expected = [TransientDatabaseError, 'SERIALIZATION_FAILURE', 'not-applied'];
const LOCK_TIMEOUT: Expected = [TransientDatabaseError, 'LOCK_TIMEOUT', 'not-applied'];
const REFUSED: Expected = [TransientDatabaseError, 'CONNECTION_REFUSED', 'not-applied'];
const LOST: Expected = [TransientDatabaseError, 'CONNECTION_LOST', 'unknown'];
const BUSY: Expected = [TransientDatabaseError, 'DATABASE_BUSY', 'not-applied'];

/** TypeORM's QueryFailedError keeps the driver's error in `driverError`. */
const wrapped = (driverError: object) => ({
  message: 'query failed',
  query: 'INSERT …',
  driverError,
});

function expectTranslated(adapter: DialectAdapter, error: unknown, expected: Expected): Error {
  const [errorClass, code, outcome] = expected;
  const translated = adapter.errors.translate(error);
  expect(translated).toBeInstanceOf(errorClass);
  expect(translated).toBeInstanceOf(RepositoryError);
  expect(translated.name).toBe(errorClass.name);
  const actual = translated as RepositoryError & { outcome?: unknown };
  expect({ code: actual.code, outcome: actual.outcome }).toEqual({ code, outcome });
  expect(translated.cause).toBe(error);
  return translated;
}

describe('PostgresAdapter.translateError', () => {
  const adapter = new PostgresAdapter();

  it.each<[string, Expected]>([
    ['23505', UNIQUE],
    ['23502', NOT_NULL],
    ['23503', FOREIGN_KEY],
    ['23514', CHECK],
    ['40P01', DEADLOCK],
    ['40001', SERIALIZATION],
    ['55P03', LOCK_TIMEOUT],
    ['57P01', LOST],
    ['08000', LOST],
    ['08003', LOST],
    ['08006', LOST],
    ['ECONNRESET', LOST],
    ['EPIPE', LOST],
    ['ECONNREFUSED', REFUSED],
  ])('translates SQLSTATE %s', (code, expected) => {
    const driverError = { code, message: `pg error ${code}` };
    expectTranslated(adapter, wrapped(driverError), expected);
    // The bare driver error, as a raw pool query throws it, translates the same way.
    expectTranslated(adapter, driverError, expected);
  });

  it('keeps the driver message', () => {
    const driverError = Object.assign(
      new Error('duplicate key value violates unique constraint "employees_email_key"'),
      { code: '23505' },
    );
    const translated = expectTranslated(adapter, wrapped(driverError), UNIQUE);
    expect(translated.message).toBe(
      'duplicate key value violates unique constraint "employees_email_key"',
    );
  });

  it('treats a dropped socket without a code as a lost connection', () => {
    expectTranslated(adapter, new Error('Connection terminated unexpectedly'), LOST);
    expectTranslated(adapter, wrapped(new Error('connection terminated')), LOST);
  });

  it('turns an unknown SQLSTATE into a DatabaseError with the driver code', () => {
    const driverError = Object.assign(new Error('relation "nope" does not exist'), {
      code: '42P01',
    });
    const translated = expectTranslated(adapter, wrapped(driverError), [
      DatabaseError,
      'DATABASE_ERROR',
    ]);
    expect(translated).toMatchObject({
      driverCode: '42P01',
      message: 'relation "nope" does not exist',
    });
  });

  it('does not read MySQL errnos', () => {
    const translated = expectTranslated(adapter, { errno: 1062, code: 'ER_DUP_ENTRY' }, [
      DatabaseError,
      'DATABASE_ERROR',
    ]);
    expect(translated).toMatchObject({ driverCode: 1062 });
  });
});

describe('MysqlAdapter.translateError', () => {
  const adapter = new MysqlAdapter();

  it.each<[number, string, Expected]>([
    [1062, 'ER_DUP_ENTRY', UNIQUE],
    [1586, 'ER_DUP_ENTRY_WITH_KEY_NAME', UNIQUE],
    [1048, 'ER_BAD_NULL_ERROR', NOT_NULL],
    [1364, 'ER_NO_DEFAULT_FOR_FIELD', NOT_NULL],
    [1451, 'ER_ROW_IS_REFERENCED_2', FOREIGN_KEY],
    [1452, 'ER_NO_REFERENCED_ROW_2', FOREIGN_KEY],
    [3819, 'ER_CHECK_CONSTRAINT_VIOLATED', CHECK],
    [4025, 'ER_CONSTRAINT_FAILED', CHECK],
    [1213, 'ER_LOCK_DEADLOCK', DEADLOCK],
    [1205, 'ER_LOCK_WAIT_TIMEOUT', LOCK_TIMEOUT],
    [2006, 'CR_SERVER_GONE_ERROR', LOST],
    [2013, 'CR_SERVER_LOST', LOST],
  ])('translates errno %i (%s)', (errno, code, expected) => {
    const driverError = { errno, code, sqlState: 'HY000', message: `mysql error ${errno}` };
    expectTranslated(adapter, wrapped(driverError), expected);
    expectTranslated(adapter, driverError, expected);
  });

  it('classifies by errno, not by the code name', () => {
    expectTranslated(adapter, wrapped({ errno: 1062, code: 'SOMETHING_ELSE' }), UNIQUE);
    expectTranslated(adapter, wrapped({ code: 'ER_DUP_ENTRY' }), [DatabaseError, 'DATABASE_ERROR']);
  });

  it.each<[string, Expected]>([
    ['PROTOCOL_CONNECTION_LOST', LOST],
    ['ECONNRESET', LOST],
    ['EPIPE', LOST],
    ['ECONNREFUSED', REFUSED],
  ])('translates the client code %s', (code, expected) => {
    expectTranslated(adapter, wrapped({ code, fatal: true }), expected);
    expectTranslated(adapter, { code }, expected);
  });

  it('keeps the driver message', () => {
    const driverError = Object.assign(new Error("Duplicate entry 'a@b.c' for key 'email'"), {
      errno: 1062,
      code: 'ER_DUP_ENTRY',
    });
    const translated = expectTranslated(adapter, wrapped(driverError), UNIQUE);
    expect(translated.message).toBe("Duplicate entry 'a@b.c' for key 'email'");
  });

  it('turns an unknown error into a DatabaseError with the errno as driver code', () => {
    const driverError = Object.assign(new Error("Table 'app.nope' doesn't exist"), {
      errno: 1146,
      code: 'ER_NO_SUCH_TABLE',
    });
    const translated = expectTranslated(adapter, wrapped(driverError), [
      DatabaseError,
      'DATABASE_ERROR',
    ]);
    expect(translated).toMatchObject({
      driverCode: 1146,
      message: "Table 'app.nope' doesn't exist",
    });
  });

  it('does not read PostgreSQL SQLSTATEs', () => {
    const translated = expectTranslated(adapter, { code: '23505' }, [
      DatabaseError,
      'DATABASE_ERROR',
    ]);
    expect(translated).toMatchObject({ driverCode: '23505' });
  });
});

describe('SqliteAdapter.translateError', () => {
  const adapter = new SqliteAdapter();

  it.each<[string, Expected]>([
    ['SQLITE_CONSTRAINT_UNIQUE', UNIQUE],
    ['SQLITE_CONSTRAINT_PRIMARYKEY', UNIQUE],
    ['SQLITE_CONSTRAINT_NOTNULL', NOT_NULL],
    ['SQLITE_CONSTRAINT_FOREIGNKEY', FOREIGN_KEY],
    ['SQLITE_CONSTRAINT_CHECK', CHECK],
    ['SQLITE_BUSY', BUSY],
    ['SQLITE_BUSY_SNAPSHOT', BUSY],
    ['SQLITE_BUSY_RECOVERY', BUSY],
    ['SQLITE_BUSY_TIMEOUT', BUSY],
    ['SQLITE_LOCKED', BUSY],
    ['SQLITE_LOCKED_SHAREDCACHE', BUSY],
  ])('translates %s', (code, expected) => {
    const driverError = { code, message: `sqlite error ${code}` };
    expectTranslated(adapter, wrapped(driverError), expected);
    expectTranslated(adapter, driverError, expected);
  });

  it.each(['SQLITE_CONSTRAINT', 'SQLITE_ERROR', 'SQLITE_CONSTRAINT_TRIGGER'])(
    'turns %s into a DatabaseError with the driver code',
    (code) => {
      const translated = expectTranslated(adapter, wrapped({ code }), [
        DatabaseError,
        'DATABASE_ERROR',
      ]);
      expect(translated).toMatchObject({ driverCode: code });
    },
  );

  it('translates the errors better-sqlite3 really throws', () => {
    const db = new Database(':memory:');
    try {
      db.pragma('foreign_keys = ON');
      db.exec(`
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (
          id INTEGER PRIMARY KEY,
          email TEXT NOT NULL UNIQUE,
          parent_id INTEGER REFERENCES parent(id),
          salary INTEGER CHECK (salary >= 0)
        );
        INSERT INTO parent (id) VALUES (1);
        INSERT INTO child (id, email, parent_id, salary) VALUES (1, 'a', 1, 0);
      `);
      const failure = (sql: string): unknown => {
        try {
          db.exec(sql);
        } catch (error) {
          return error;
        }
        throw new Error(`expected ${sql} to fail`);
      };
      const insert = 'INSERT INTO child (id, email, parent_id, salary) VALUES';
      expectTranslated(adapter, failure(`${insert} (2, 'a', 1, 0)`), UNIQUE);
      expectTranslated(adapter, failure(`${insert} (1, 'b', 1, 0)`), UNIQUE);
      expectTranslated(adapter, failure(`${insert} (2, NULL, 1, 0)`), NOT_NULL);
      expectTranslated(adapter, failure(`${insert} (2, 'b', 99, 0)`), FOREIGN_KEY);
      expectTranslated(adapter, failure(`${insert} (2, 'b', 1, -1)`), CHECK);
      const translated = adapter.errors.translate(failure('SELECT * FROM nope'));
      expect(translated).toMatchObject({ code: 'DATABASE_ERROR', driverCode: 'SQLITE_ERROR' });
      // Not an exact match: under Jest, a SqliteError made by the native addon for another test
      // file's realm is not `instanceof Error` here, so the message becomes String(error).
      expect(translated.message).toMatch(/^(SqliteError: )?no such table: nope$/);
    } finally {
      db.close();
    }
  });
});

describe('translateError on anything else', () => {
  it.each<[string, DialectAdapter]>([
    ['postgres', new PostgresAdapter()],
    ['mysql', new MysqlAdapter()],
    ['sqlite', new SqliteAdapter()],
  ])('%s turns an unknown error into a DatabaseError', (_name, adapter) => {
    const plain = new Error('something odd');
    expect(expectTranslated(adapter, plain, [DatabaseError, 'DATABASE_ERROR'])).toMatchObject({
      driverCode: undefined,
      message: 'something odd',
    });
    expect(
      expectTranslated(adapter, 'a thrown string', [DatabaseError, 'DATABASE_ERROR']),
    ).toMatchObject({ driverCode: undefined, message: 'a thrown string' });
    expect(
      expectTranslated(adapter, wrapped({ code: 'XX999' }), [DatabaseError, 'DATABASE_ERROR']),
    ).toMatchObject({ driverCode: 'XX999' });
    expect(
      expectTranslated(adapter, { driverError: undefined, code: 'XX000' }, [
        DatabaseError,
        'DATABASE_ERROR',
      ]),
    ).toMatchObject({ driverCode: 'XX000' });
  });
});

describe('regression: socket errors carry a negative errno beside their code', () => {
  // Node's connect errors look like this; the negative errno once hid the code.
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      errno: -111,
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
  it.each([new PostgresAdapter(), new MysqlAdapter()])(
    '%p reports CONNECTION_REFUSED',
    (adapter) => {
      const translated = adapter.errors.translate(refused());
      expect(translated).toBeInstanceOf(TransientDatabaseError);
      expect(translated).toMatchObject({ code: 'CONNECTION_REFUSED', outcome: 'not-applied' });
    },
  );
});
