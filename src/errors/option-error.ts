import { ConfigurationError } from './configuration-error';
import type { ConfigurationErrorCode } from './error-codes';
import { showValue } from './shown-value';

/**
 * One option out of range: `option` names it as the caller wrote it (`coalescer.maxBatchSize`,
 * `retry.jitter`, an environment variable), `expected` says what it must be, `actual` is what was
 * given. Raised before any SQL, by the constructor for the options a constructor takes. The
 * checks live in `src/config/option-checks.ts`.
 *
 * `code` is `INVALID_CONFIGURATION`, or the code the options had before they shared this class:
 * `INVALID_LOCKING_OPTION` ({@link LockingOptionError}) and `INVALID_TRANSACTION_OPTION`
 * ({@link TransactionOptionError}).
 */
export class OptionError extends ConfigurationError {
  override readonly code: ConfigurationErrorCode;

  constructor(
    readonly option: string,
    readonly expected: string,
    readonly actual: unknown,
    code: ConfigurationErrorCode = 'INVALID_CONFIGURATION',
  ) {
    super(`${option} must be ${expected}, got ${showValue(actual)}`);
    this.code = code;
  }

  /** `option` is not `expected`. */
  static invalid(option: string, expected: string, actual: unknown): OptionError {
    return new OptionError(option, expected, actual);
  }
}

/**
 * An option of `updateWithVersion`, of `conflictHistory` or of the repository's `locking` config is
 * out of range (code `INVALID_LOCKING_OPTION`).
 */
export class LockingOptionError extends OptionError {
  declare readonly code: 'INVALID_LOCKING_OPTION';

  constructor(option: string, expected: string, actual: unknown) {
    super(option, expected, actual, 'INVALID_LOCKING_OPTION');
  }

  static override invalid(option: string, expected: string, actual: unknown): LockingOptionError {
    return new LockingOptionError(option, expected, actual);
  }
}

/**
 * An option of `withTransaction`, `repo.transaction` or the repository's `retry` config is out of
 * range, or names an isolation level the dialect lacks (code `INVALID_TRANSACTION_OPTION`), e.g.
 * `option: 'retry.maxRetries'` or `'isolationLevel'`.
 */
export class TransactionOptionError extends OptionError {
  declare readonly code: 'INVALID_TRANSACTION_OPTION';

  constructor(option: string, expected: string, actual: unknown) {
    super(option, expected, actual, 'INVALID_TRANSACTION_OPTION');
  }

  static override invalid(
    option: string,
    expected: string,
    actual: unknown,
  ): TransactionOptionError {
    return new TransactionOptionError(option, expected, actual);
  }
}
