import type { FilterErrorCode } from './error-codes';
import { RepositoryError } from './repository-error';

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

  /** A page's `after` cursor does not decode, or belongs to another order. */
  static invalidCursor(why: string): FilterError {
    return new FilterError('FILTER_INVALID_CURSOR', 'after', why);
  }

  /** A filtered write's filter matches every row and the call did not say `allowAll`. */
  static matchesEverything(verb: string): FilterError {
    return new FilterError(
      'FILTER_EMPTY',
      '$filters',
      `an empty filter would ${verb} every row; pass allowAll: true to mean it`,
    );
  }
}
