/**
 * Every error this library throws is a {@link RepositoryError} with a stable `code`.
 * Codes never change between releases; messages may.
 *
 * Two families, as in MikroORM:
 * - usage errors (bad input, missing rows, version conflicts), raised before or instead of SQL;
 * - database errors, translated from driver codes by the dialect adapter (`src/dialects/`).
 */
export abstract class RepositoryError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One field of a DTO that failed validation. */
export interface FieldError {
  /** Property path, e.g. `email` or `address.zip`. */
  readonly field: string;
  /** Failed constraint name → message, as class-validator reports them. */
  readonly constraints: Readonly<Record<string, string>>;
}

/** A DTO (or a bulk row) failed validation. No SQL ran for it. */
export class ValidationError extends RepositoryError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly entity: string,
    readonly fields: readonly FieldError[],
    /** Index into the input of a bulk call, when the row came from one. */
    readonly index?: number,
  ) {
    super(
      `${entity}: invalid input${index === undefined ? '' : ` at index ${index}`}: ` +
        fields.map((f) => `${f.field} (${Object.values(f.constraints).join('; ')})`).join(', '),
    );
  }
}

export type FilterErrorCode =
  | 'FILTER_UNKNOWN_FIELD'
  | 'FILTER_UNKNOWN_OPERATOR'
  | 'FILTER_INVALID_VALUE'
  | 'FILTER_UNDEFINED_VALUE'
  | 'FILTER_EMPTY'
  | 'FILTER_TOO_DEEP'
  | 'FILTER_TOO_LARGE'
  | 'FILTER_INVALID_CURSOR';

/** A filter, `orderBy`, `limit` or `offset` is malformed. Raised before any SQL runs. */
export class FilterError extends RepositoryError {
  constructor(
    readonly code: FilterErrorCode,
    /**
     * The offending key as the caller wrote it, e.g. `salary__lt` or `orderBy`; for a filter too
     * deep or too large, the path to where the limit was crossed, e.g. `$or[2].$not.$and`.
     */
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }

  static unknownField(key: string, field: string, entity: string): FilterError {
    return new FilterError('FILTER_UNKNOWN_FIELD', key, `${entity} has no field "${field}"`);
  }

  static unknownOperator(key: string, op: string): FilterError {
    return new FilterError('FILTER_UNKNOWN_OPERATOR', key, `unknown operator "${op}"`);
  }

  static invalidValue(key: string, expected: string): FilterError {
    return new FilterError('FILTER_INVALID_VALUE', key, `expected ${expected}`);
  }

  /** A filter value is `undefined`: refused, since dropping it would widen the filter. */
  static undefinedValue(key: string): FilterError {
    return new FilterError(
      'FILTER_UNDEFINED_VALUE',
      key,
      'the value is undefined; omit the key, or use null (IS NULL)',
    );
  }

  /** A filter nests more `$and`/`$or`/`$not` levels than `limit`. */
  static tooDeep(path: string, limit: number): FilterError {
    return new FilterError(
      'FILTER_TOO_DEEP',
      path,
      `nested deeper than ${limit} levels of $and/$or/$not ` +
        '(counted after merging $and in $and and $or in $or)',
    );
  }

  /** A filter holds more objects and keys, or more values, than one statement can carry. */
  static tooLarge(path: string, what: 'size' | 'values', limit: number): FilterError {
    return new FilterError(
      'FILTER_TOO_LARGE',
      path,
      what === 'size'
        ? `more than ${limit} filter objects and keys in one filter`
        : `more than ${limit} values in one filter, the most one statement can bind besides ` +
            'its own (each element of an __in/__nin list is one)',
    );
  }
}

/** The row does not exist, is soft-deleted, or belongs to another tenant. */
export class NotFoundError extends RepositoryError {
  readonly code = 'NOT_FOUND';

  constructor(
    readonly entity: string,
    readonly id: unknown,
  ) {
    super(`${entity} ${String(id)} not found`);
  }
}

/** The row's version is not the one the caller expected. */
export class OptimisticLockError extends RepositoryError {
  readonly code = 'OPTIMISTIC_LOCK_CONFLICT';

  constructor(
    readonly entity: string,
    readonly id: unknown,
    readonly expectedVersion: number,
    readonly actualVersion: number,
    /** How many attempts were made before giving up (1 for a single conditional update). */
    readonly attempts = 1,
  ) {
    super(
      `${entity} ${String(id)}: expected version ${expectedVersion}, found ${actualVersion}` +
        // Equal versions: the read saw a transaction's older snapshot; the row has moved on.
        (actualVersion === expectedVersion
          ? " in this transaction's snapshot (newer in the table)"
          : '') +
        (attempts > 1 ? ` after ${attempts} attempts` : ''),
    );
  }
}

/** A three-way merge found fields changed on both sides to different values. */
export class MergeConflictError extends RepositoryError {
  readonly code = 'MERGE_CONFLICT';

  constructor(
    readonly entity: string,
    readonly id: unknown,
    readonly fields: readonly string[],
  ) {
    super(`${entity} ${String(id)}: conflicting changes to ${fields.join(', ')}`);
  }
}

/** A unique constraint rejected the row. */
export class ConflictError extends RepositoryError {
  readonly code = 'UNIQUE_VIOLATION';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type ConstraintViolationCode =
  'NOT_NULL_VIOLATION' | 'FOREIGN_KEY_VIOLATION' | 'CHECK_VIOLATION';

/** A NOT NULL, foreign key or CHECK constraint rejected the row. */
export class ConstraintViolationError extends RepositoryError {
  constructor(
    readonly code: ConstraintViolationCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value the column cannot hold: too long, out of range, not a valid date or number. */
export class InvalidDataError extends RepositoryError {
  readonly code = 'INVALID_DATA';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type TransientErrorCode =
  | 'DEADLOCK'
  | 'SERIALIZATION_FAILURE'
  | 'LOCK_TIMEOUT'
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_LOST'
  | 'DATABASE_BUSY';

/**
 * A failure that may succeed if tried again.
 * `outcome: 'not-applied'` means the statement certainly had no effect and a retry is safe;
 * `'unknown'` (a connection lost mid-statement or during COMMIT) means it may have been applied.
 */
export class TransientDatabaseError extends RepositoryError {
  constructor(
    readonly code: TransientErrorCode,
    readonly outcome: 'not-applied' | 'unknown',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bulk call with `atomic: true` failed; `errors` lists every failing row. */
export class BulkOperationError extends RepositoryError {
  readonly code = 'BULK_OPERATION_FAILED';

  constructor(
    message: string,
    readonly errors: readonly { index?: number; code: string; message: string }[],
  ) {
    super(message);
  }
}

/** What an interrupted bulk call is known to have done, by input index where it had one. */
export interface BulkWriteProgress {
  /** Rows known to be stored (inserted, updated, or skipped as already there). */
  readonly successCount: number;
  /** Input indices of the rows known to be stored, ascending (bulk calls over input rows). */
  readonly storedIndices: readonly number[];
  /**
   * Input indices of rows whose statement was interrupted without an answer (a connection lost
   * mid-statement): each may or may not be stored.
   */
  readonly unknownIndices: readonly number[];
  /** Ids of the rows known to be created (or, for filtered writes, written) where known. */
  readonly ids: readonly (string | number)[];
  /** Rows refused before the interruption, with their input index, as a finished call lists them. */
  readonly errors: readonly { index?: number; code: string; message: string }[];
}

/**
 * A bulk call that wrote in several statements (outside `atomic` and outside a transaction of
 * the caller's, each commits on its own) stopped part-way: `cause` is what stopped it. Rows
 * neither in `progress.storedIndices` nor in `progress.unknownIndices` nor in `progress.errors`
 * are not stored. `outcome` is `'partial'` when some rows are known to be stored, `'unknown'`
 * when none is known to be but some may be. A call that stopped before storing anything throws
 * its cause instead (with its own `outcome`, such as `'not-applied'`).
 */
export class BulkWriteIncompleteError extends RepositoryError {
  readonly code = 'BULK_WRITE_INCOMPLETE';

  constructor(
    message: string,
    readonly outcome: 'partial' | 'unknown',
    readonly progress: BulkWriteProgress,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Whether a failed call may have changed rows: an interrupted bulk call, or a statement or COMMIT
 * whose answer was lost. Such a failure still invalidates the cache.
 */
export function mayHaveWritten(error: unknown): boolean {
  return (
    error instanceof BulkWriteIncompleteError ||
    (error instanceof TransientDatabaseError && error.outcome === 'unknown')
  );
}

export type TenantErrorCode = 'TENANT_MISSING' | 'TENANT_MISMATCH';

/** The repository is tenant-scoped and no tenant was resolved, or input names another tenant. */
export class TenantError extends RepositoryError {
  constructor(
    readonly code: TenantErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The repository was configured wrongly. Raised by the constructor. */
export class ConfigurationError extends RepositoryError {
  readonly code = 'INVALID_CONFIGURATION';
}

/** A database error the dialect adapter does not classify. The driver's error is the `cause`. */
export class DatabaseError extends RepositoryError {
  readonly code = 'DATABASE_ERROR';

  constructor(
    message: string,
    readonly driverCode: string | number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An option of `updateWithVersion` or of the repository's `locking` config is out of range.
 * Raised before any SQL (by the constructor for `locking`); `option` names it.
 */
export class LockingOptionError extends RepositoryError {
  readonly code = 'INVALID_LOCKING_OPTION';

  constructor(
    readonly option: string,
    expected: string,
    actual: unknown,
  ) {
    super(`${option} must be ${expected}, got ${showValue(actual)}`);
  }
}

function showValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * An option of `withTransaction`, `repo.transaction` or the repository's `retry` config is out of
 * range, or names an isolation level the dialect lacks. Raised before any SQL (by the constructor
 * for `retry`); `option` names it, e.g. `retry.maxRetries` or `isolationLevel`.
 */
export class TransactionOptionError extends RepositoryError {
  readonly code = 'INVALID_TRANSACTION_OPTION';

  constructor(
    readonly option: string,
    expected: string,
    actual: unknown,
  ) {
    super(`${option} must be ${expected}, got ${showValue(actual)}`);
  }
}

export type QueryErrorCode =
  | 'QUERY_EMPTY'
  | 'QUERY_UNTERMINATED'
  | 'QUERY_AMBIGUOUS_TEXT'
  | 'QUERY_LEXING_CHANGE_REFUSED'
  | 'QUERY_MULTIPLE_STATEMENTS'
  | 'QUERY_DDL_REFUSED'
  | 'QUERY_TRANSACTION_CONTROL'
  | 'QUERY_POSITIONAL_PLACEHOLDER'
  | 'QUERY_PARAMETER_MISSING'
  | 'QUERY_PARAMETER_UNUSED'
  | 'QUERY_PARAMETER_INVALID'
  | 'QUERY_TOO_MANY_PARAMETERS'
  | 'QUERY_INVALID_OPTION'
  | 'QUERY_TOO_MANY_ROWS';

/**
 * `repo.query()` refused its input, before any SQL ran (or, for `QUERY_TOO_MANY_ROWS`, refused a
 * `fetch: 'one'` result). `subject` names what was refused: the parameter, the leading keyword,
 * the option.
 */
export class QueryError extends RepositoryError {
  constructor(
    readonly code: QueryErrorCode,
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }

  static parameterMissing(name: string): QueryError {
    return new QueryError(
      'QUERY_PARAMETER_MISSING',
      name,
      `:${name} is used in the SQL but has no value (pass null for NULL)`,
    );
  }

  static parameterUnused(name: string): QueryError {
    return new QueryError('QUERY_PARAMETER_UNUSED', name, `"${name}" is not used in the SQL`);
  }

  static parameterInvalid(name: string, why: string): QueryError {
    return new QueryError('QUERY_PARAMETER_INVALID', name, `:${name} cannot be bound: ${why}`);
  }
}
