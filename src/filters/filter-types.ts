import type { FilterOperator } from './filter-operators';

type Scalar = string | number | bigint | boolean | Date | null;

/** Keys a filter object may use for an entity: `field` or `field__op`. */
export type FilterKey<T> = {
  [K in keyof T & string]: K | `${K}__${FilterOperator}`;
}[keyof T & string];

/**
 * A Django-style filter: `{ salary__lt: 5000, department__in: ['a', 'b'] }`. Keys AND together;
 * `$or`, `$and` and `$not` nest. Field names are checked at run time too, so an untyped object
 * (for example from a query string) is validated the same way. At most `MAX_FILTER_DEPTH` (32)
 * levels deep and `MAX_FILTER_SIZE` (10,000) objects and keys; see docs/filters.md.
 */
export type Filters<T = Record<string, unknown>> = {
  [K in FilterKey<T>]?: Scalar | readonly Scalar[];
} & {
  $or?: readonly Filters<T>[];
  $and?: readonly Filters<T>[];
  $not?: Filters<T>;
};
