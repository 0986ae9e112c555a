import {
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  InvalidDataError,
  TransientDatabaseError,
  type TransientErrorCode,
} from '../errors';

/** What a driver error means, independent of the dialect that raised it. */
export type DatabaseErrorKind =
  | 'invalid-data'
  | 'unique'
  | 'not-null'
  | 'foreign-key'
  | 'check'
  | 'deadlock'
  | 'serialization'
  | 'lock-timeout'
  | 'connection-refused'
  | 'connection-lost'
  | 'busy';

type ConstraintKind = 'unique' | 'not-null' | 'foreign-key' | 'check' | 'invalid-data';
type TransientKind = Exclude<DatabaseErrorKind, ConstraintKind>;

const TRANSIENT: Readonly<Record<TransientKind, TransientErrorCode>> = Object.freeze({
  deadlock: 'DEADLOCK',
  serialization: 'SERIALIZATION_FAILURE',
  'lock-timeout': 'LOCK_TIMEOUT',
  'connection-refused': 'CONNECTION_REFUSED',
  'connection-lost': 'CONNECTION_LOST',
  busy: 'DATABASE_BUSY',
});

/**
 * The error-converter part of a dialect: a driver error, classified by the dialect into a
 * {@link DatabaseErrorKind}, becomes the library's typed error with its stable code
 * (`ConflictError`, `ConstraintViolationError`, `InvalidDataError`, `TransientDatabaseError`,
 * else `DatabaseError`). A dialect writes {@link classify} from its driver's codes; what each kind
 * becomes, and whether a transient one left the statement applied, is the same everywhere.
 */
export abstract class ErrorConverter {
  /**
   * What a driver error means, `undefined` when it is not one this library distinguishes. Gets
   * the driver's own error (TypeORM's QueryFailedError unwrapped), which may come from another
   * realm (Jest): read its properties, do not rely on `instanceof`.
   */
  abstract classify(driverError: unknown): DatabaseErrorKind | undefined;

  /** Turns a driver error (or TypeORM's QueryFailedError around one) into a typed error. */
  translate(error: unknown): Error {
    return translateDriverError(error, (driverError) => this.classify(driverError));
  }
}

/** Turns a driver error (or TypeORM's QueryFailedError around one) into a typed error. */
function translateDriverError(
  error: unknown,
  classify: (driverError: unknown) => DatabaseErrorKind | undefined,
): Error {
  const driverError = unwrapDriverError(error);
  const kind = releasedRunner(error) ? 'connection-lost' : classify(driverError);
  // Native-module errors can fail `instanceof Error` across realms (Jest), so read the property.
  const text = (driverError as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text : String(driverError);
  const cause = { cause: error };
  switch (kind) {
    case undefined:
      return new DatabaseError(message, driverCodeOf(driverError), cause);
    case 'unique':
      return new ConflictError(message, cause);
    case 'invalid-data':
      return new InvalidDataError(message, cause);
    case 'not-null':
      return new ConstraintViolationError('NOT_NULL_VIOLATION', message, cause);
    case 'foreign-key':
      return new ConstraintViolationError('FOREIGN_KEY_VIOLATION', message, cause);
    case 'check':
      return new ConstraintViolationError('CHECK_VIOLATION', message, cause);
    default: {
      // The server rolled back a deadlocked, serialization-failed, timed-out or busy statement,
      // and a refused connection never sent it; only a lost connection leaves it in doubt.
      const outcome = kind === 'connection-lost' ? 'unknown' : 'not-applied';
      return new TransientDatabaseError(TRANSIENT[kind], outcome, message, cause);
    }
  }
}

/**
 * TypeORM's runner refuses statements once it has released itself, which its PostgreSQL runner
 * does when the connection breaks (a transaction killed while idle): the connection is lost.
 * Read by name, as the error may come from another copy of TypeORM.
 */
function releasedRunner(error: unknown): boolean {
  return error instanceof Error && error.name === 'QueryRunnerAlreadyReleasedError';
}

/** TypeORM wraps driver errors in QueryFailedError; the driver's own error carries the code. */
export function unwrapDriverError(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'driverError' in error) {
    return (error as { driverError: unknown }).driverError ?? error;
  }
  return error;
}

/** What identifies a driver error: MySQL's `errno`, else its `code`. */
export function driverCodeOf(error: unknown): string | number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  // MySQL server errors: a positive errno. Socket errors carry a negative errno beside their
  // code (ECONNREFUSED), and the code is what says what happened.
  if (typeof errno === 'number' && errno > 0) return errno;
  if (typeof code === 'string' || typeof code === 'number') return code;
  return typeof errno === 'number' ? errno : undefined;
}
