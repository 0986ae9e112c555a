/**
 * Every `code` the library can produce: on a thrown error, or on a row of a bulk call's `errors`.
 * Codes never change between releases; messages may. docs/errors.md has one row per code, and
 * test/unit/error-codes.test.ts keeps that table and {@link ERROR_CODES} equal.
 */

export type ValidationErrorCode = 'VALIDATION_FAILED';

export type FilterErrorCode =
  | 'FILTER_UNKNOWN_FIELD'
  | 'FILTER_UNKNOWN_OPERATOR'
  | 'FILTER_INVALID_VALUE'
  | 'FILTER_UNDEFINED_VALUE'
  | 'FILTER_EMPTY'
  | 'FILTER_TOO_DEEP'
  | 'FILTER_TOO_LARGE'
  | 'FILTER_INVALID_CURSOR';

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

export type TenantErrorCode = 'TENANT_MISSING' | 'TENANT_MISMATCH';

/** A transaction propagation the call chain does not allow. */
export type TransactionErrorCode = 'TRANSACTION_PROPAGATION';

/** Lookup and version errors: the row is missing, or moved on. */
export type RowStateErrorCode = 'NOT_FOUND' | 'OPTIMISTIC_LOCK_CONFLICT' | 'MERGE_CONFLICT';

/**
 * A wrong configuration or option. An `OptionError` carries the code of the options it checks:
 * the locking and transaction options kept the codes they had before there was one class.
 */
export type ConfigurationErrorCode =
  'INVALID_CONFIGURATION' | 'INVALID_LOCKING_OPTION' | 'INVALID_TRANSACTION_OPTION';

export type ConstraintViolationCode =
  'NOT_NULL_VIOLATION' | 'FOREIGN_KEY_VIOLATION' | 'CHECK_VIOLATION';

export type TransientErrorCode =
  | 'DEADLOCK'
  | 'SERIALIZATION_FAILURE'
  | 'LOCK_TIMEOUT'
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_LOST'
  | 'DATABASE_BUSY';

/** Errors the database raised, as the dialect adapter classified them. */
export type DriverErrorCode =
  | 'DATABASE_ERROR'
  | 'UNIQUE_VIOLATION'
  | ConstraintViolationCode
  | 'INVALID_DATA'
  | TransientErrorCode;

export type BulkErrorCode = 'BULK_OPERATION_FAILED' | 'BULK_WRITE_INCOMPLETE';

/**
 * Write-behind on Redis Streams: the stream is full, Redis did not acknowledge an entry, or no
 * drainer answered an `awaitStored` call in time.
 */
export type WriteBehindErrorCode =
  'WRITE_BEHIND_FULL' | 'WRITE_BEHIND_ENQUEUE_FAILED' | 'WRITE_BEHIND_OUTCOME_UNKNOWN';

/** Codes only a row of `BulkOperationResult.errors` carries; no error class throws them. */
export type BulkRowCode = 'DUPLICATE_ID';

export type ErrorCode =
  | ValidationErrorCode
  | FilterErrorCode
  | QueryErrorCode
  | TenantErrorCode
  | TransactionErrorCode
  | RowStateErrorCode
  | ConfigurationErrorCode
  | DriverErrorCode
  | BulkErrorCode
  | WriteBehindErrorCode
  | BulkRowCode;

/** Every {@link ErrorCode}, for the runtime: the compiler checks this list against the type. */
export const ERROR_CODES: Readonly<Record<ErrorCode, true>> = Object.freeze({
  VALIDATION_FAILED: true,
  FILTER_UNKNOWN_FIELD: true,
  FILTER_UNKNOWN_OPERATOR: true,
  FILTER_INVALID_VALUE: true,
  FILTER_UNDEFINED_VALUE: true,
  FILTER_EMPTY: true,
  FILTER_TOO_DEEP: true,
  FILTER_TOO_LARGE: true,
  FILTER_INVALID_CURSOR: true,
  QUERY_EMPTY: true,
  QUERY_UNTERMINATED: true,
  QUERY_AMBIGUOUS_TEXT: true,
  QUERY_LEXING_CHANGE_REFUSED: true,
  QUERY_MULTIPLE_STATEMENTS: true,
  QUERY_DDL_REFUSED: true,
  QUERY_TRANSACTION_CONTROL: true,
  QUERY_POSITIONAL_PLACEHOLDER: true,
  QUERY_PARAMETER_MISSING: true,
  QUERY_PARAMETER_UNUSED: true,
  QUERY_PARAMETER_INVALID: true,
  QUERY_TOO_MANY_PARAMETERS: true,
  QUERY_INVALID_OPTION: true,
  QUERY_TOO_MANY_ROWS: true,
  TENANT_MISSING: true,
  TENANT_MISMATCH: true,
  TRANSACTION_PROPAGATION: true,
  NOT_FOUND: true,
  OPTIMISTIC_LOCK_CONFLICT: true,
  MERGE_CONFLICT: true,
  INVALID_CONFIGURATION: true,
  INVALID_LOCKING_OPTION: true,
  INVALID_TRANSACTION_OPTION: true,
  DATABASE_ERROR: true,
  UNIQUE_VIOLATION: true,
  NOT_NULL_VIOLATION: true,
  FOREIGN_KEY_VIOLATION: true,
  CHECK_VIOLATION: true,
  INVALID_DATA: true,
  DEADLOCK: true,
  SERIALIZATION_FAILURE: true,
  LOCK_TIMEOUT: true,
  CONNECTION_REFUSED: true,
  CONNECTION_LOST: true,
  DATABASE_BUSY: true,
  BULK_OPERATION_FAILED: true,
  BULK_WRITE_INCOMPLETE: true,
  WRITE_BEHIND_FULL: true,
  WRITE_BEHIND_ENQUEUE_FAILED: true,
  WRITE_BEHIND_OUTCOME_UNKNOWN: true,
  DUPLICATE_ID: true,
});
