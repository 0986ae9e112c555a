import type { ConstraintViolationCode, DriverErrorCode, TransientErrorCode } from './error-codes';
import { RepositoryError } from './repository-error';

/**
 * An error the database raised, classified by the dialect adapter from the driver's code
 * (`src/dialects/driver-errors.ts`). The driver's error, or TypeORM's QueryFailedError around it,
 * is the `cause`. Catch this to handle every database failure at once; its subclasses say which.
 */
export abstract class DriverError extends RepositoryError {
  abstract override readonly code: DriverErrorCode;
}

/**
 * A database error the dialect adapter does not classify: none of the kinds below. The driver's
 * own code is `driverCode`, its error the `cause`.
 */
export class DatabaseError extends DriverError {
  readonly code = 'DATABASE_ERROR';

  constructor(
    message: string,
    readonly driverCode: string | number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A unique constraint rejected the row. */
export class ConflictError extends DriverError {
  readonly code = 'UNIQUE_VIOLATION';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A NOT NULL, foreign key or CHECK constraint rejected the row. */
export class ConstraintViolationError extends DriverError {
  constructor(
    readonly code: ConstraintViolationCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value the column cannot hold: too long, out of range, not a valid date or number. */
export class InvalidDataError extends DriverError {
  readonly code = 'INVALID_DATA';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A failure that may succeed if tried again.
 * `outcome: 'not-applied'` means the statement certainly had no effect and a retry is safe;
 * `'unknown'` (a connection lost mid-statement or during COMMIT) means it may have been applied.
 */
export class TransientDatabaseError extends DriverError {
  constructor(
    readonly code: TransientErrorCode,
    readonly outcome: 'not-applied' | 'unknown',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
