import { FilterError } from '../errors';
import { unreachable } from '../unreachable';
import type { EntityModel, ModelColumn } from '../model/entity-model';
import type { ConditionNode, FilterNode } from './filter-node';
import { MATCH_ALL } from './filter-node';
import { MAX_FILTER_DEPTH, MAX_FILTER_SIZE, type FilterLimits } from './filter-limits';
import { comparisonValue } from './comparison-value';
import { isFilterOperator, type FilterOperator } from './filter-operators';
import { integerCondition } from './integer-comparison';

const SEPARATOR = '__';

/**
 * Parses a filter object into a validated {@link FilterNode} tree. Every field is checked against
 * the entity's properties and every value against its operator and column, so a bad filter fails
 * here, before any SQL is built.
 *
 * `$and` inside `$and` and `$or` inside `$or` merge into one node, so a chain of single-child
 * `$and`s built in a loop is one AND. The filter is read without recursion and refused as soon as
 * it nests deeper than {@link MAX_FILTER_DEPTH} (after merging), holds more than
 * {@link MAX_FILTER_SIZE} objects and keys, or more than `limits.maxValues` values.
 */
export function parseFilters(
  filters: unknown,
  model: EntityModel,
  limits: FilterLimits = {},
): FilterNode {
  if (filters === undefined || filters === null) return MATCH_ALL;
  const listParameters = limits.listParameters ?? ((length: number) => length);
  return new FilterParser(
    model,
    limits.maxValues ?? Number.POSITIVE_INFINITY,
    listParameters,
  ).parse(filters);
}

/** Where a part of the filter sits, as a chain to its parent: free until an error names it. */
interface Path {
  readonly parent: Path | undefined;
  readonly segment: string;
}

/** A node being filled with children; `top` receives the whole filter. */
interface Level {
  readonly kind: 'and' | 'or' | 'not' | 'top';
  /** Nested AND/OR/NOT levels down to and including this one. */
  readonly depth: number;
  readonly children: FilterNode[];
}

/** A level that becomes a node of its own when its children are read. */
type Opened = Level & { readonly kind: 'and' | 'or' | 'not' };

/** Read a filter object into a level. */
interface ObjectStep {
  readonly step: 'object';
  readonly input: unknown;
  readonly into: Level;
  readonly path: Path | undefined;
  /** The key that holds it, for an error about its shape: `$or[2]`, `$not`, `$filters`. */
  readonly key: string;
}

/** Read one key of a filter object into a level. */
interface EntryStep {
  readonly step: 'entry';
  readonly key: string;
  readonly value: unknown;
  readonly into: Level;
  /** The path of the object the key is in. */
  readonly path: Path | undefined;
}

/** All of a level's children are read: it becomes a node of `into`. */
interface CloseStep {
  readonly step: 'close';
  readonly level: Opened;
  readonly into: Level;
}

/** The walk keeps its steps on an explicit stack rather than the call stack. */
type Step = ObjectStep | EntryStep | CloseStep;

class FilterParser {
  readonly #steps: Step[] = [];
  #size = 0;
  #values = 0;

  constructor(
    private readonly model: EntityModel,
    private readonly maxValues: number,
    private readonly listParameters: (length: number) => number,
  ) {}

  parse(filters: unknown): FilterNode {
    const top: Level = { kind: 'top', depth: 0, children: [] };
    this.#grow(1, undefined);
    this.#read(filters, top, undefined, '$filters');
    // Depth first, in key order: children arrive in order, and errors come as recursion found them.
    for (let next = this.#steps.pop(); next; next = this.#steps.pop()) {
      if (next.step === 'object') this.#object(next.input, next.into, next.path, next.key);
      else if (next.step === 'entry') this.#entry(next.key, next.value, next.into, next.path);
      else next.into.children.push(nodeOf(next.level));
    }
    return top.children[0]!;
  }

  #object(input: unknown, into: Level, path: Path | undefined, key: string): void {
    if (!isPlainObject(input)) throw FilterError.invalidValue(key, 'a filter object');
    const entries = Object.entries(input);
    this.#grow(entries.length, path);
    // One key is that key's node; none or several AND together.
    const level = entries.length === 1 ? into : this.#open('and', into, path);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, value] = entries[i]!;
      this.#steps.push({ step: 'entry', key: k, value, into: level, path });
    }
  }

  #entry(key: string, value: unknown, into: Level, path: Path | undefined): void {
    // Never dropped: `{ id: undefined }` would otherwise match every row.
    if (value === undefined) throw FilterError.undefinedValue(key);
    const at: Path = { parent: path, segment: key };
    switch (key) {
      case '$and':
      case '$or': {
        if (!Array.isArray(value)) {
          throw FilterError.invalidValue(key, 'an array of filter objects');
        }
        this.#grow(value.length, at);
        const level = this.#open(key === '$and' ? 'and' : 'or', into, at);
        for (let i = value.length - 1; i >= 0; i--) {
          const element = `${key}[${i}]`;
          this.#read(value[i], level, { parent: path, segment: element }, element);
        }
        return;
      }
      case '$not':
        this.#grow(1, at);
        this.#read(value, this.#open('not', into, at), at, key);
        return;
    }
    if (key.startsWith('$')) throw FilterError.unknownOperator(key, key);
    // Counted before the values are checked, so a huge list is refused at once.
    this.#values += Array.isArray(value) ? this.listParameters(value.length) : 1;
    if (this.#values > this.maxValues) {
      throw FilterError.tooLarge(render(at), 'values', this.maxValues);
    }
    into.children.push(parseCondition(key, value, this.model));
  }

  #read(input: unknown, into: Level, path: Path | undefined, key: string): void {
    this.#steps.push({ step: 'object', input, into, path, key });
  }

  /** The level a new AND/OR/NOT fills: `into` itself where it merges, else a new one. */
  #open(kind: Opened['kind'], into: Level, path: Path | undefined): Level {
    if (kind === into.kind && kind !== 'not') return into;
    const depth = into.depth + 1;
    if (depth > MAX_FILTER_DEPTH) throw FilterError.tooDeep(render(path), MAX_FILTER_DEPTH);
    const level: Opened = { kind, depth, children: [] };
    this.#steps.push({ step: 'close', level, into });
    return level;
  }

  /** Counts `n` more objects or keys, refusing the filter past {@link MAX_FILTER_SIZE}. */
  #grow(n: number, path: Path | undefined): void {
    this.#size += n;
    if (this.#size > MAX_FILTER_SIZE) {
      throw FilterError.tooLarge(render(path), 'size', MAX_FILTER_SIZE);
    }
  }
}

function nodeOf(level: Opened): FilterNode {
  const children = freeze(level.children);
  return level.kind === 'not'
    ? freeze({ kind: 'not', child: children[0]! })
    : freeze({ kind: level.kind, children });
}

/** Segments kept at each end of a long path in an error. */
const PATH_ENDS = 4;

/** `$or[0].$and[1].$not`; a long path keeps its ends around `…`. */
function render(path: Path | undefined): string {
  const segments: string[] = [];
  for (let at = path; at; at = at.parent) segments.push(at.segment);
  if (segments.length === 0) return '$filters';
  segments.reverse();
  if (segments.length > 2 * PATH_ENDS) {
    segments.splice(PATH_ENDS, segments.length - 2 * PATH_ENDS, '…');
  }
  return segments.join('.');
}

function parseCondition(key: string, value: unknown, model: EntityModel): FilterNode {
  const { column, op } = resolveKey(key, model);
  const node: ConditionNode = freeze({
    kind: 'condition',
    key,
    column,
    op,
    value: checkValue(key, op, column, value),
  });
  return column.domain.kind === 'integer' ? integerCondition(node, column.domain) : node;
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
  // An undefined value itself is refused with its key; here, one inside an in/between list.
  if (Array.isArray(value) && value.some((v) => v === undefined)) {
    throw FilterError.undefinedValue(key);
  }
  switch (op) {
    case 'eq':
    case 'ne':
      return value === null ? null : comparisonValue(key, column, value);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return comparisonValue(key, column, value);
    case 'in':
    case 'nin':
      if (!Array.isArray(value)) throw FilterError.invalidValue(key, 'an array');
      return freeze(value.map((v) => (v === null ? null : comparisonValue(key, column, v))));
    case 'between':
      if (!Array.isArray(value) || value.length !== 2) {
        throw FilterError.invalidValue(key, 'a [low, high] pair');
      }
      return freeze(value.map((v) => comparisonValue(key, column, v)));
    case 'contains':
    case 'icontains':
    case 'startswith':
    case 'istartswith':
    case 'endswith':
    case 'iendswith':
      if (column.domain.kind !== 'string' && column.domain.kind !== 'other') {
        throw FilterError.invalidValue(key, `a text column; ${column.property} is not one`);
      }
      if (typeof value !== 'string') throw FilterError.invalidValue(key, 'a string');
      return value;
    case 'isnull':
    case 'isnotnull':
      if (typeof value !== 'boolean') throw FilterError.invalidValue(key, 'true or false');
      return value;
    default:
      return unreachable(op);
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
