import type { QueryErrorCode } from './error-codes';
import { showValue } from './shown-value';
import { RepositoryError } from './repository-error';

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

  /**
   * An argument or option of `repo.query()` is out of range: `sql`, `params` or `fetch`. Raised
   * by the option checks (`src/config/option-checks.ts`) for these options.
   */
  static invalidOption(option: string, expected: string, actual: unknown): QueryError {
    return new QueryError(
      'QUERY_INVALID_OPTION',
      option,
      `${option} must be ${expected}, got ${showValue(actual)}`,
    );
  }
}
