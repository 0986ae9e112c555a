/**
 * What `repo.query()` returns:
 * - `'all'`: every row, as the driver returns them (not hydrated into entities)
 * - `'one'`: the only row, or `null` when there is none; more than one row is a
 *   `QueryError` `QUERY_TOO_MANY_ROWS` (after the statement ran: undo a write with a transaction)
 * - `'none'`: the number of rows the statement inserted, updated or deleted (for a SELECT, the
 *   rows it returned); rows are not kept
 */
export type FetchMode = 'all' | 'one' | 'none';

export const FETCH_MODES: Readonly<Record<FetchMode, true>> = Object.freeze({
  all: true,
  one: true,
  none: true,
});

/**
 * The values of a raw query's `:name` placeholders, by name. Every name in the SQL needs a
 * value (`null` binds NULL; `undefined` counts as missing) and every value a name in the SQL.
 *
 * How values bind: strings, numbers, bigints and Buffers as they are; booleans and Dates the way
 * the repository writes them on each dialect; plain objects as JSON text. An array that is the
 * whole list of an `IN (:ids)` expands to one placeholder per element (`= ANY($1)` on
 * PostgreSQL), and an empty one matches nothing (`NOT IN`: everything). Any other array binds
 * as a PostgreSQL array (`= ANY(:ids)`) or, on MySQL and SQLite, as JSON text.
 */
export type QueryParams = Readonly<Record<string, unknown>>;

/** Options of `repo.query()`. */
export interface RawQueryOptions<F extends FetchMode = FetchMode> {
  /**
   * What to return; see {@link FetchMode}.
   * @default 'all'
   * Cost: `'all'` holds every row in memory; add a LIMIT when the result can be large.
   */
  readonly fetch?: F;
}
