import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';
import { SqlSyntax, type Bind } from './sql-syntax';

/** PostgreSQL's SQL where it differs from the standard: `$n`, `= ANY`, ILIKE, `xmax`. */
export class PostgresSyntax extends SqlSyntax {
  override readonly sqlLexicon: SqlLexicon = Object.freeze({
    ...STANDARD_LEXICON,
    escapeStrings: true,
    dollarQuotes: true,
    nestedComments: true,
    positional: '$n' as const,
    // scan.l of PostgreSQL 15: `space [ \t\n\r\f]`, `newline [\n\r]`.
    lineCommentEnds: '\n\r',
    backslashDependsOnSettings: true,
  });

  override placeholder(index: number): string {
    return `$${index + 1}`;
  }

  /**
   * `= ANY($1)` / `<> ALL($1)`: one parameter however long the list, one plan for every length,
   * and an empty array needs no special case.
   */
  override inList(values: readonly unknown[], negated: boolean, bind: Bind): string {
    return `${negated ? '<> ALL' : '= ANY'}(${bind(values)})`;
  }

  override listParameters(): number {
    return 1;
  }

  override matchCaseInsensitive(
    column: string,
    mode: MatchMode,
    value: string,
    bind: Bind,
  ): string {
    return `${column} ILIKE ${bind(likePattern(mode, value))} ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * `=` is exact under deterministic collations, but a column may carry a nondeterministic
   * (case- or accent-insensitive ICU) one: the text compared under `"C"`, byte by byte, decides.
   * The plain `=` first keeps the column's index usable.
   */
  override exactEquals(column: string, value: () => string): string {
    return `${column} = ${value()} AND ${column}::text = ${value()}::text COLLATE "C"`;
  }

  override nullsOrdering(direction: 'ASC' | 'DESC'): 'NULLS FIRST' | 'NULLS LAST' {
    return direction === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST';
  }

  /** `xmax` is 0 in a freshly inserted row version and set in one an upsert updated. */
  override upsertInsertedFlag(): string | undefined {
    return '(xmax = 0)';
  }
}
