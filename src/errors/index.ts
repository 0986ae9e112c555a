// The library's errors, one concept per file; `import … from '../errors'` reads them all here.
export { RepositoryError } from './repository-error';
export {
  ERROR_CODES,
  type BulkErrorCode,
  type BulkRowCode,
  type ConfigurationErrorCode,
  type ConstraintViolationCode,
  type DriverErrorCode,
  type ErrorCode,
  type FilterErrorCode,
  type QueryErrorCode,
  type RowStateErrorCode,
  type TenantErrorCode,
  type TransactionErrorCode,
  type TransientErrorCode,
  type ValidationErrorCode,
  type WriteBehindErrorCode,
} from './error-codes';
export {
  MergeConflictError,
  NotFoundError,
  OptimisticLockError,
  TenantError,
  ValidationError,
  type FieldError,
} from './usage-errors';
export { FilterError } from './filter-error';
export { TransactionPropagationError } from './transaction-propagation-error';
export { QueryError } from './query-error';
export { ConfigurationError } from './configuration-error';
export { LockingOptionError, OptionError, TransactionOptionError } from './option-error';
export {
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  DriverError,
  InvalidDataError,
  TransientDatabaseError,
} from './database-errors';
export {
  BulkOperationError,
  BulkWriteIncompleteError,
  type BulkWriteProgress,
} from './bulk-errors';
export { WriteBehindError } from './write-behind-error';
export { mayHaveWritten } from './may-have-written';
