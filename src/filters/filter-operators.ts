/** The operators a filter key may name after `__`. */
export type FilterOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'nin'
  | 'between'
  | 'contains'
  | 'icontains'
  | 'startswith'
  | 'istartswith'
  | 'endswith'
  | 'iendswith'
  | 'isnull'
  | 'isnotnull';

/** The same list at run time; the compiler checks it is complete. */
export const FILTER_OPERATORS: Readonly<Record<FilterOperator, true>> = Object.freeze({
  eq: true,
  ne: true,
  lt: true,
  lte: true,
  gt: true,
  gte: true,
  in: true,
  nin: true,
  between: true,
  contains: true,
  icontains: true,
  startswith: true,
  istartswith: true,
  endswith: true,
  iendswith: true,
  isnull: true,
  isnotnull: true,
});

export function isFilterOperator(op: string): op is FilterOperator {
  return Object.hasOwn(FILTER_OPERATORS, op);
}

/** The logical keys that nest filter objects. */
export type LogicalKey = '$or' | '$and' | '$not';
