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
  /** The body of `/*! … *\/` and `/*M! … *\/` is executed, so it is code (MySQL, MariaDB). */
  readonly executableComments: boolean;
  /** The driver's own positional placeholder, which raw SQL must not use beside named ones. */
  readonly positional: '?' | '$n';
}

/** Standard SQL, as SQLite reads it: the defaults of the dialect adapters. */
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
});
