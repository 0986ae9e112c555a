import { FilterError } from '../errors';
import type { EntityModel, ModelColumn, ValueKind } from '../repository/entity-model';
import type { ConditionNode, FilterNode } from './filter-node';
import { MATCH_ALL } from './filter-node';
import { isFilterOperator, type FilterOperator } from './filter-operators';

const SEPARATOR = '__';

/**
 * Parses a filter object into a validated {@link FilterNode} tree. Every field is checked against
 * the entity's properties and every value against its operator and column, so a bad filter fails
 * here, before any SQL is built.
 */
export function parseFilters(filters: unknown, model: EntityModel): FilterNode {
  if (filters === undefined || filters === null) return MATCH_ALL;
  return parseObject(filters, model, '$filters');
}

function parseObject(input: unknown, model: EntityModel, key: string): FilterNode {
  if (!isPlainObject(input)) throw FilterError.invalidValue(key, 'a filter object');
  const children: FilterNode[] = [];
  for (const [k, value] of Object.entries(input)) {
    // Never dropped: `{ id: undefined }` would otherwise match every row.
    if (value === undefined) throw FilterError.undefinedValue(k);
    children.push(parseEntry(k, value, model));
  }
  return children.length === 1 ? children[0]! : freeze({ kind: 'and', children: freeze(children) });
}

function parseEntry(key: string, value: unknown, model: EntityModel): FilterNode {
  switch (key) {
    case '$and':
    case '$or': {
      if (!Array.isArray(value)) throw FilterError.invalidValue(key, 'an array of filter objects');
      const children = value.map((v, i) => parseObject(v, model, `${key}[${i}]`));
      return freeze({ kind: key === '$and' ? 'and' : 'or', children: freeze(children) });
    }
    case '$not':
      return freeze({ kind: 'not', child: parseObject(value, model, key) });
  }
  if (key.startsWith('$')) throw FilterError.unknownOperator(key, key);
  return parseCondition(key, value, model);
}

function parseCondition(key: string, value: unknown, model: EntityModel): ConditionNode {
  const { column, op } = resolveKey(key, model);
  return freeze({ kind: 'condition', key, column, op, value: checkValue(key, op, column, value) });
}

function resolveKey(key: string, model: EntityModel): { column: ModelColumn; op: FilterOperator } {
  const exact = model.column(key);
  if (exact) return { column: exact, op: 'eq' };
  const at = key.lastIndexOf(SEPARATOR);
  const field = at > 0 ? key.slice(0, at) : key;
  const op = at > 0 ? key.slice(at + SEPARATOR.length) : 'eq';
  const column = model.column(field);
  if (!column) throw FilterError.unknownField(key, field, model.name);
  if (!isFilterOperator(op)) throw FilterError.unknownOperator(key, op);
  return { column, op };
}

function checkValue(key: string, op: FilterOperator, column: ModelColumn, value: unknown): unknown {
  // An undefined value itself is refused by parseObject; here, one inside an in/between list.
  if (Array.isArray(value) && value.some((v) => v === undefined)) {
    throw FilterError.undefinedValue(key);
  }
  switch (op) {
    case 'eq':
    case 'ne':
      return value === null ? null : checkScalar(key, column, value);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return checkScalar(key, column, value);
    case 'in':
    case 'nin':
      if (!Array.isArray(value)) throw FilterError.invalidValue(key, 'an array');
      return freeze(value.map((v) => (v === null ? null : checkScalar(key, column, v))));
    case 'between':
      if (!Array.isArray(value) || value.length !== 2) {
        throw FilterError.invalidValue(key, 'a [low, high] pair');
      }
      return freeze(value.map((v) => checkScalar(key, column, v)));
    case 'contains':
    case 'icontains':
    case 'startswith':
    case 'istartswith':
    case 'endswith':
    case 'iendswith':
      if (column.kind !== 'string' && column.kind !== 'other') {
        throw FilterError.invalidValue(key, `a text column; ${column.property} is not one`);
      }
      if (typeof value !== 'string') throw FilterError.invalidValue(key, 'a string');
      return value;
    case 'isnull':
    case 'isnotnull':
      if (typeof value !== 'boolean') throw FilterError.invalidValue(key, 'true or false');
      return value;
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Checks a non-null comparison value against the column's kind; date strings become Dates. */
function checkScalar(key: string, column: ModelColumn, value: unknown): unknown {
  const ok = (expected: string, valid: boolean) => {
    if (!valid) throw FilterError.invalidValue(key, `${expected} for ${column.property}`);
    return value;
  };
  const kind: ValueKind = column.kind;
  switch (kind) {
    case 'number':
      return ok(
        'a number',
        (typeof value === 'number' && Number.isFinite(value)) ||
          typeof value === 'bigint' ||
          (typeof value === 'string' && DECIMAL.test(value)),
      );
    case 'string':
      return ok('a string', typeof value === 'string');
    case 'boolean':
      return ok('a boolean', typeof value === 'boolean');
    case 'date': {
      const date =
        value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) {
        throw FilterError.invalidValue(key, `a Date or ISO date string for ${column.property}`);
      }
      return date;
    }
    case 'other':
      return ok(
        'a string, number, boolean or Date',
        ['string', 'number', 'bigint', 'boolean'].includes(typeof value) || value instanceof Date,
      );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function freeze<T extends object>(value: T): T {
  return Object.freeze(value);
}
