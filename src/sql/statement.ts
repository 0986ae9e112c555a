import type { Bind } from '../dialects/sql-syntax';

/** A statement ready to run: its SQL with the dialect's placeholders, and their values in order. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A SQL expression written into a statement as-is (never user input). */
export class SqlExpression {
  constructor(readonly sql: string) {}
}

/**
 * A SQL expression that carries bound values (a bulk update's `CASE pk WHEN ? THEN ? … END`).
 * It is written while the statement is built, so its placeholders are numbered in place.
 */
export class BoundExpression {
  constructor(readonly write: (bind: Bind) => string) {}
}

/**
 * What a write statement returns where the dialect has RETURNING: the whole rows, only the
 * primary key (cheap, for bulk events), or nothing.
 */
export type Returning = 'row' | 'key' | 'none';
