import { given, nonNegativeInteger } from '../config/option-checks';
import { FilterError } from '../errors';
import type { EntityModel, ModelColumn } from '../model/entity-model';

export type SortDirection = 'ASC' | 'DESC';

/** `'-salary'`, `['department', '-salary']` or `{ salary: 'DESC' }`; a leading `-` means descending. */
export type OrderBy<T = Record<string, unknown>> =
  | string
  | readonly string[]
  | { readonly [K in keyof T & string]?: SortDirection | 'asc' | 'desc' };

export interface SortKey {
  readonly column: ModelColumn;
  readonly direction: SortDirection;
}

/** Parses and checks an `orderBy` against the entity's properties. */
export function parseOrderBy(orderBy: unknown, model: EntityModel): readonly SortKey[] {
  if (orderBy === undefined || orderBy === null) return [];
  if (typeof orderBy === 'string') return [fromToken(orderBy, model)];
  if (Array.isArray(orderBy)) {
    return orderBy.map((token) => {
      if (typeof token !== 'string') throw FilterError.invalidValue('orderBy', 'field names');
      return fromToken(token, model);
    });
  }
  if (typeof orderBy === 'object') {
    return Object.entries(orderBy).map(([field, dir]) => {
      const direction = typeof dir === 'string' ? dir.toUpperCase() : dir;
      if (direction !== 'ASC' && direction !== 'DESC') {
        throw FilterError.invalidValue(`orderBy.${field}`, "'ASC' or 'DESC'");
      }
      return { column: columnFor(field, model), direction };
    });
  }
  throw FilterError.invalidValue(
    'orderBy',
    'a field name, an array of them, or { field: direction }',
  );
}

function fromToken(token: string, model: EntityModel): SortKey {
  const desc = token.startsWith('-');
  return {
    column: columnFor(desc ? token.slice(1) : token, model),
    direction: desc ? 'DESC' : 'ASC',
  };
}

function columnFor(field: string, model: EntityModel): ModelColumn {
  const column = model.column(field);
  if (!column) throw FilterError.unknownField('orderBy', field, model.name);
  return column;
}

/** `limit`/`offset` must be non-negative integers. */
export function checkPageBound(name: 'limit' | 'offset', value: unknown): number | undefined {
  return given(value, (v) => nonNegativeInteger(name, v, FilterError.invalidValue));
}
