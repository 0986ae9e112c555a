import { FilterError } from '../errors';
import { unreachable } from '../unreachable';
import { dateProblem, isDecimalText, isUuid } from '../model/column-values';
import type { ModelColumn } from '../model/entity-model';

/**
 * Checks a non-null value a column is compared with, by the column's domain, and returns it in
 * the form to bind: a datetime string becomes a Date; a `'YYYY-MM-DD'` string on a `date` column
 * stays as written (a Date made from it is UTC midnight, which is the day before in zones west of
 * UTC once TypeORM formats it in local time); a UUID goes lower case. Any number may be compared
 * with an integer column: {@link integerCondition} then settles fractions and ranges.
 * @throws FilterError `FILTER_INVALID_VALUE` naming `key`
 */
export function comparisonValue(key: string, column: ModelColumn, value: unknown): unknown {
  const refuse = (expected: string): never => {
    throw FilterError.invalidValue(key, `${expected} for ${column.property}`);
  };
  const domain = column.domain;
  switch (domain.kind) {
    case 'integer':
    case 'decimal':
    case 'float':
      if (
        (typeof value === 'number' && Number.isFinite(value)) ||
        typeof value === 'bigint' ||
        isDecimalText(value)
      ) {
        return value;
      }
      return refuse('a number');
    case 'uuid':
      if (!isUuid(value)) return refuse('a UUID');
      return value.toLowerCase();
    case 'string':
      if (typeof value !== 'string') return refuse('a string');
      if (value.includes('\u0000')) return refuse('text without NUL characters');
      return value;
    case 'boolean':
      return typeof value === 'boolean' ? value : refuse('a boolean');
    case 'date': {
      const problem = dateProblem(domain.dateOnly, value);
      if (problem && 'problem' in problem) {
        return refuse(
          domain.dateOnly
            ? `a Date or 'YYYY-MM-DD' string from year 1 to 9999`
            : 'a Date or ISO date string from year 1 to 9999',
        );
      }
      if (domain.dateOnly && typeof value === 'string') return value;
      return value instanceof Date ? value : new Date(value as string);
    }
    case 'other':
      return ['string', 'number', 'bigint', 'boolean'].includes(typeof value) ||
        value instanceof Date
        ? value
        : refuse('a string, number, boolean or Date');
    default:
      return unreachable(domain);
  }
}
