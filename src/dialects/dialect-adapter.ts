import {
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  TransientDatabaseError,
  type TransientErrorCode,
} from '../errors';
import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';

export type DialectName = 'postgres' | 'mysql' | 'sqlite';

/** What a driver error means, independent of the dialect that raised it. */
export type DatabaseErrorKind =
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

/** Binds a value and returns its placeholder in the statement being built. */
export type Bind = (value: unknown) => string;

export interface UpsertSpec {
  /** Quoted column list that identifies a conflict (PG/SQLite `ON CONFLICT (…)`). */
  readonly conflictColumns: readonly string[];
  /** Columns overwritten from the incoming row; empty means "do nothing on conflict". */
  readonly updateColumns: readonly string[];
  /** Raw SQL assignments appended to the update, e.g. a version bump. */
  readonly extraAssignments?: readonly string[];
}

type ConstraintKind = 'unique' | 'not-null' | 'foreign-key' | 'check';
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
 * Everything that differs between PostgreSQL, MySQL/MariaDB and SQLite. The rest of the library
 * asks the adapter and never branches on the dialect's name. Defaults here follow standard SQL;
 * each dialect overrides only what differs.
 */
export abstract class DialectAdapter {
  abstract readonly name: DialectName;
  /** Most bind parameters one statement may carry. */
  abstract readonly maxBindParameters: number;
  /** Largest statement the server accepts, in bytes (MySQL's `max_allowed_packet`). */
  readonly maxStatementBytes: number = Number.POSITIVE_INFINITY;
  /** Whether INSERT/UPDATE/DELETE … RETURNING is available. */
  abstract readonly supportsReturning: boolean;

  /** The placeholder for the `index`-th (0-based) bound value of a statement. */
  placeholder(_index: number): string {
    return '?';
  }

  /**
   * The generated key of a row just inserted without RETURNING, from the driver's result.
   * Only called on dialects where {@link supportsReturning} is false.
   */
  insertedId(_raw: unknown): unknown {
    return undefined;
  }

  /** The body of an INSERT that gives every column its default. */
  defaultValuesClause(): string {
    return 'DEFAULT VALUES';
  }

  quoteIdentifier(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  /** A SQL expression for "now" with sub-second precision where the dialect has it. */
  currentTimestamp(): string {
    return 'CURRENT_TIMESTAMP';
  }

  /** Case-sensitive pattern match whose wildcards in `value` match literally. */
  matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `${column} LIKE ${bind(likePattern(mode, value))} ESCAPE '${LIKE_ESCAPE}'`;
  }

  /** Case-insensitive pattern match whose wildcards in `value` match literally. */
  matchCaseInsensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `LOWER(${column}) LIKE LOWER(${bind(likePattern(mode, value))}) ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * What to add to ORDER BY so that NULLs sort as the smallest value on every dialect
   * (first ascending, last descending), which is what MySQL and SQLite do natively.
   */
  nullsOrdering(_direction: 'ASC' | 'DESC'): 'NULLS FIRST' | 'NULLS LAST' | undefined {
    return undefined;
  }

  /** `ON CONFLICT …` clause for an upsert (`updateColumns` non-empty) or a skip. */
  upsertClause(spec: UpsertSpec): string {
    const target = `(${spec.conflictColumns.join(', ')})`;
    if (spec.updateColumns.length === 0) return `ON CONFLICT ${target} DO NOTHING`;
    const sets = spec.updateColumns.map((c) => `${c} = EXCLUDED.${c}`);
    return `ON CONFLICT ${target} DO UPDATE SET ${[...sets, ...(spec.extraAssignments ?? [])].join(', ')}`;
  }

  /** Classifies a driver error; `undefined` when it is not one this library distinguishes. */
  abstract classifyError(error: unknown): DatabaseErrorKind | undefined;

  /** Turns a driver error (or TypeORM's QueryFailedError around one) into a typed error. */
  translateError(error: unknown): Error {
    const driverError = unwrapDriverError(error);
    const kind = this.classifyError(driverError);
    // Native-module errors can fail `instanceof Error` across realms (Jest), so read the property.
    const text = (driverError as { message?: unknown } | null)?.message;
    const message = typeof text === 'string' ? text : String(driverError);
    const cause = { cause: error };
    switch (kind) {
      case undefined:
        return new DatabaseError(message, driverCodeOf(driverError), cause);
      case 'unique':
        return new ConflictError(message, cause);
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
