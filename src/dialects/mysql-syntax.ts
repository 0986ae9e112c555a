import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { simpleLowercase } from './simple-lowercase';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';
import { SqlSyntax, type Bind, type UpsertSpec } from './sql-syntax';

/**
 * MySQL's and MariaDB's SQL where it differs from the standard: backquotes, `ON DUPLICATE KEY
 * UPDATE`, byte comparisons where the default collations fold case and pad spaces.
 */
export class MysqlSyntax extends SqlSyntax {
  /**
   * As the default sql_mode reads SQL: `"…"` is a string (no ANSI_QUOTES) and `\` escapes inside
   * strings (no NO_BACKSLASH_ESCAPES).
   */
  override readonly sqlLexicon: SqlLexicon = Object.freeze({
    ...STANDARD_LEXICON,
    stringQuotes: '"',
    backslashEscapes: true,
    identifierQuotes: Object.freeze({ '`': '`' }),
    hashComments: true,
    dashCommentNeedsSpace: true,
    executableComments: true,
    // my_isspace for utf8mb4: ASCII whitespace only, \v included.
    spaces: ' \t\n\v\f\r',
    identifiersMayStartWithDigit: true,
    backslashDependsOnSettings: true,
  });

  /** MySQL's manual's "all rows" is 2^64 − 1; the largest safe integer is as good and exact. */
  override readonly limitForBareOffset: number | undefined = Number.MAX_SAFE_INTEGER;

  override quoteIdentifier(name: string): string {
    return `\`${name.replaceAll('`', '``')}\``;
  }

  override currentTimestamp(): string {
    return 'CURRENT_TIMESTAMP(6)';
  }

  override defaultValuesClause(): string {
    return '() VALUES ()';
  }

  /**
   * None counted: mysql2's `query`, which TypeORM uses, writes the values into the SQL text on the
   * client, so a list is bounded by `max_allowed_packet`, not by bind parameters.
   */
  override listParameters(): number {
    return 0;
  }

  /** MySQL 5.7 wants a FROM with a WHERE. */
  protected override emptyRowSet(): string {
    return 'SELECT NULL FROM DUAL WHERE 1 = 0';
  }

  /**
   * `=` follows the column's collation: case-insensitive and PAD SPACE by default, so `'ACME'`
   * and `'acme '` would equal `'acme'`. The collation's `=` comes first so the column's index
   * still finds the candidates; the byte comparison then keeps the exact ones. Both sides are
   * converted to utf8mb4 first, so that a column of another character set compares by the same
   * characters and not by differently encoded bytes.
   */
  override exactEquals(column: string, value: () => string): string {
    const bytes = (sql: string) => `CAST(CONVERT(${sql} USING utf8mb4) AS BINARY)`;
    return `${column} = ${value()} AND ${bytes(column)} = ${bytes(value())}`;
  }

  // The default collations are case-insensitive, so compare bytes.
  override matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    const pattern = bind(likePattern(mode, value));
    return `CAST(${column} AS BINARY) LIKE CAST(${pattern} AS BINARY) ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * The column's collation would also fold accents (`ö` matching `o`) and Turkish `ı`: LOWER
   * (by the column's collation's case table) on the column, the pattern lower-cased here, and
   * the comparison under `utf8mb4_bin`, code point by code point (LIKE does not pad spaces).
   */
  override matchCaseInsensitive(
    column: string,
    mode: MatchMode,
    value: string,
    bind: Bind,
  ): string {
    const pattern = bind(simpleLowercase(likePattern(mode, value)));
    return `LOWER(${column}) LIKE CONVERT(${pattern} USING utf8mb4) COLLATE utf8mb4_bin ESCAPE '${LIKE_ESCAPE}'`;
  }

  /** MySQL has no alias for an INSERT's target; the existing row's columns are unqualified. */
  override insertInto(table: string, columns: readonly string[]): string {
    return `INSERT INTO ${table} (${columns.join(', ')})`;
  }

  protected override existing(column: string): string {
    return column;
  }

  protected override incoming(column: string): string {
    return `VALUES(${column})`;
  }

  /**
   * `ON DUPLICATE KEY UPDATE`. MySQL has no conflict target (any unique key triggers it) and no
   * WHERE on the update, so a guard wraps each assignment in `IF(guard, new, old)`. A skip assigns
   * a key column to itself, never `INSERT IGNORE`, which would also swallow NOT NULL, foreign key
   * and truncation errors.
   */
  override upsertClause(spec: UpsertSpec): string {
    const assignments = this.upsertAssignments(spec);
    if (assignments.length === 0) {
      const key = spec.conflictColumns[0];
      return `ON DUPLICATE KEY UPDATE ${key} = ${key}`;
    }
    const guard = this.upsertGuard(spec);
    const sets = assignments.map(({ column, value }) =>
      guard ? `${column} = IF(${guard}, ${value}, ${column})` : `${column} = ${value}`,
    );
    return `ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
  }
}
