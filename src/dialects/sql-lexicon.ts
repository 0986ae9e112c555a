/**
 * The lexical rules of a dialect that decide where SQL text is code and where it is a literal,
 * a quoted identifier or a comment. The raw-query scanner reads them from the dialect adapter
 * (`adapter.sqlLexicon`), so that a `:name`, a `;` or a keyword is only ever seen in code.
 */
export interface SqlLexicon {
  /** Characters besides `'` that open a string literal (MySQL's `"` in its default sql_mode). */
  readonly stringQuotes: string;
  /** A backslash escapes the next character inside string literals (MySQL). */
  readonly backslashEscapes: boolean;
  /** `E'…'` strings, in which a backslash escapes (PostgreSQL). */
  readonly escapeStrings: boolean;
  /** `$tag$…$tag$` strings (PostgreSQL). */
  readonly dollarQuotes: boolean;
  /** Opening character of each quoted-identifier form → its closing character. */
  readonly identifierQuotes: Readonly<Record<string, string>>;
  /** `#` starts a comment to the end of the line (MySQL). */
  readonly hashComments: boolean;
  /** `--` starts a comment only when whitespace follows it (MySQL). */
  readonly dashCommentNeedsSpace: boolean;
  /** `/* … *\/` comments nest (PostgreSQL). */
  readonly nestedComments: boolean;
  /**
   * `/*! … *\/` and `/*M! … *\/` exist (MySQL, MariaDB). Whether their body runs depends on the
   * server's version, so whether it is code or a comment is in doubt: they are refused.
   */
  readonly executableComments: boolean;
  /** The driver's own positional placeholder, which raw SQL must not use beside named ones. */
  readonly positional: '?' | '$n';
  /**
   * Characters that start a driver placeholder of their own in code (SQLite's `@x` and `$x`);
   * they are refused like `positional`.
   */
  readonly placeholderSigils: string;
  /**
   * Exactly the characters the server's lexer reads as whitespace. Any other character that
   * looks like a space or is a control character is refused in code: U+00A0 is whitespace to
   * JavaScript but part of an identifier to PostgreSQL and MySQL.
   */
  readonly spaces: string;
  /** The characters that end a `--` (or `#`) comment: PostgreSQL also ends one at `\r`. */
  readonly lineCommentEnds: string;
  /** A number may run on into an identifier (`1a` is a name to MySQL, an error elsewhere). */
  readonly identifiersMayStartWithDigit: boolean;
  /**
   * Whether a backslash escapes in `'…'` depends on a session setting (MySQL's
   * NO_BACKSLASH_ESCAPES, PostgreSQL's standard_conforming_strings), so a literal whose end
   * depends on it (an odd run of backslashes before a quote) is refused.
   */
  readonly backslashDependsOnSettings: boolean;
}

/** Standard SQL, as SQLite reads it (tokenize.c): the defaults of the dialect adapters. */
export const STANDARD_LEXICON: SqlLexicon = Object.freeze({
  stringQuotes: '',
  backslashEscapes: false,
  escapeStrings: false,
  dollarQuotes: false,
  identifierQuotes: Object.freeze({ '"': '"' }),
  hashComments: false,
  dashCommentNeedsSpace: false,
  nestedComments: false,
  executableComments: false,
  positional: '?',
  placeholderSigils: '',
  spaces: ' \t\n\f\r',
  lineCommentEnds: '\n',
  identifiersMayStartWithDigit: false,
  backslashDependsOnSettings: false,
});
