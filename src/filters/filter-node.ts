import type { ModelColumn } from '../model/entity-model';
import type { FilterOperator } from './filter-operators';

/**
 * A parsed, validated filter: dialect-neutral and immutable. Values are already checked against
 * the operator and the column's kind; the compiler only has to write SQL.
 */
export type FilterNode = AndNode | OrNode | NotNode | ConditionNode;

export interface AndNode {
  readonly kind: 'and';
  readonly children: readonly FilterNode[];
}

export interface OrNode {
  readonly kind: 'or';
  readonly children: readonly FilterNode[];
}

export interface NotNode {
  readonly kind: 'not';
  readonly child: FilterNode;
}

export interface ConditionNode {
  readonly kind: 'condition';
  /** The key as the caller wrote it, for error messages. */
  readonly key: string;
  readonly column: ModelColumn;
  readonly op: FilterOperator;
  /**
   * Shape depends on `op`: a scalar or `null` for eq/ne; an array for in/nin; a pair for between;
   * a string for the pattern operators; a boolean for isnull/isnotnull.
   */
  readonly value: unknown;
}

/** The filter that matches every row. */
export const MATCH_ALL: AndNode = Object.freeze({ kind: 'and', children: Object.freeze([]) });
