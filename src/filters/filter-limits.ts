/**
 * How deep and how large a filter may be. A filter past either limit is refused with a
 * `FilterError` (`FILTER_TOO_DEEP`, `FILTER_TOO_LARGE`) while it is parsed, before any SQL, and
 * the parser never descends further into it: hostile input costs at most this much work.
 */

/**
 * Most nested levels of `$and`, `$or` and `$not` a filter may have, counted after `$and` inside
 * `$and` and `$or` inside `$or` are merged into one level (an object of several keys is an AND,
 * a level of its own unless it is inside an `$and`). Default 32: far past any hand-written filter, and well inside what every
 * dialect parses: SQLite refuses an expression more than 1,000 deep, MySQL runs out of thread
 * stack near 1,000 nested `NOT`s. Not configurable.
 */
export const MAX_FILTER_DEPTH = 32;

/**
 * Most filter objects plus keys (conditions, `$and`, `$or`, `$not`) one filter may hold, counted
 * as written, before merging: `{ a: 1, $or: [{ b: 2 }] }` is 4. List values are not counted
 * here but against the statement's bind parameters. Default 10,000: a flat `$or` of 4,999
 * conditions, the most it allows, counted 60 rows in 20–45 ms on every dialect, and each
 * condition costs the server planning time; it also bounds the work spent on a 100,000-deep
 * `$and` chain or a filter that contains itself. Not configurable.
 */
export const MAX_FILTER_SIZE = 10_000;

/** Limits that depend on where the filter runs. */
export interface FilterLimits {
  /**
   * Most values the filter may hold (each condition's value, each element of an `__in`/`__nin`
   * list, both ends of a `__between`): what one statement can bind besides its own parameters.
   * Default: unlimited, for filters the library builds itself.
   */
  readonly maxValues?: number;
  /**
   * Bind parameters an `__in`/`__nin` list of `length` values takes (one array parameter on
   * PostgreSQL).
   * @default its length
   */
  readonly listParameters?: (length: number) => number;
}
