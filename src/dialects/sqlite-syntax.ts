import { globPattern, LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { simpleLowercase } from './simple-lowercase';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';
import { SqlSyntax, type Bind } from './sql-syntax';
import { LOWER_FUNCTION, prepareLower } from './sqlite-lower-function';

/** Lists up to this long are written inline, one placeholder per value. */
const INLINE_LIST = 100;

/**
 * SQLite's SQL where it differs from the standard: long lists through `json_each`, GLOB for
 * case-sensitive matches, a registered function for Unicode case folding, no OFFSET without LIMIT.
 */
export class SqliteSyntax extends SqlSyntax {
  /**
   * @param connection The DataSource's current driver connection (better-sqlite3's `Database`),
   *   asked at each case-insensitive match: TypeORM opens a new one when the DataSource is
   *   initialized again. Without it, or on node-sqlite3, `icontains` folds ASCII only.
   */
  constructor(private readonly connection?: () => unknown) {
    super();
  }

  /** SQLite also reads MySQL's and SQL Server's identifier quotes, and `@x`/`$x` placeholders. */
  override readonly sqlLexicon: SqlLexicon = Object.freeze({
    ...STANDARD_LEXICON,
    placeholderSigils: '@$',
    identifierQuotes: Object.freeze({ '"': '"', '`': '`', '[': ']' }),
  });

  /** SQLite has no OFFSET without LIMIT; a negative LIMIT means none. */
  override readonly limitForBareOffset: number | undefined = -1;

  /** One writer at a time: a transaction whose snapshot went stale cannot write (BUSY_SNAPSHOT). */
  override readonly lockingRead: string = '';

  /** Millisecond precision, in the text format TypeORM stores datetimes in. */
  override currentTimestamp(): string {
    return "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')";
  }

  /**
   * A list longer than {@link INLINE_LIST} goes as one JSON parameter read by `json_each`, so that
   * its length is not bounded by SQLite's 32,766 bind parameters; a short one inline, which plans
   * as well and parses faster.
   */
  override inList(values: readonly unknown[], negated: boolean, bind: Bind): string {
    if (values.length <= INLINE_LIST) return super.inList(values, negated, bind);
    const json = JSON.stringify(values.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
    return `${negated ? 'NOT IN' : 'IN'} (SELECT value FROM json_each(${bind(json)}))`;
  }

  override listParameters(length: number): number {
    return length <= INLINE_LIST ? length : 1;
  }

  /**
   * `=` takes the column's declared collation (`COLLATE NOCASE`, `RTRIM`); an explicit
   * `COLLATE BINARY` on the value wins over it. The plain `=` first keeps an index declared with
   * the column's collation usable.
   */
  override exactEquals(column: string, value: () => string): string {
    return `${column} = ${value()} AND ${column} = ${value()} COLLATE BINARY`;
  }

  // LIKE ignores ASCII case in SQLite; GLOB does not.
  override matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `${column} GLOB ${bind(globPattern(mode, value))}`;
  }

  /**
   * SQLite's own LOWER and LIKE fold ASCII only: both sides go through {@link LOWER_FUNCTION},
   * a JS function (the pattern once, here; the column once per row: a scan takes 2.5x the ASCII-only
   * one, see docs/performance.md). It is registered on the connection at the first match.
   */
  override matchCaseInsensitive(
    column: string,
    mode: MatchMode,
    value: string,
    bind: Bind,
  ): string {
    if (!prepareLower(this.connection?.())) {
      return super.matchCaseInsensitive(column, mode, value, bind);
    }
    const pattern = bind(simpleLowercase(likePattern(mode, value)));
    return `${LOWER_FUNCTION}(${column}) LIKE ${pattern} ESCAPE '${LIKE_ESCAPE}'`;
  }
}
