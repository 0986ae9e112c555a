import { QueryError } from '../errors';
import type { SqlLexicon } from './sql-lexicon';

/**
 * - `word`: a keyword, an unquoted identifier or a number
 * - `parameter`: a named placeholder, `:name`
 * - `positional`: the driver's own placeholder (`?`, `$1`)
 * - `symbol`: an operator or punctuation character; `::` and `:=` are one symbol
 */
export type SqlTokenKind =
  'space' | 'comment' | 'string' | 'identifier' | 'word' | 'parameter' | 'positional' | 'symbol';

export interface SqlToken {
  readonly kind: SqlTokenKind;
  /** Offset of the first character in the SQL text. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  readonly text: string;
}

const SPACE = /\s/;
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const DOLLAR_POSITIONAL = /\$\d+/y;
const EXECUTABLE_OPEN = /\/\*M?!\d*/y;

/**
 * Splits SQL into tokens by the dialect's lexical rules. Only enough of SQL is recognised to tell
 * code from literals, quoted identifiers and comments; the database parses the rest.
 * @throws QueryError `QUERY_UNTERMINATED` for a string, quoted identifier or comment left open:
 *   where it ends is exactly where this scanner and the database could disagree.
 */
export function tokenize(sql: string, lexicon: SqlLexicon): SqlToken[] {
  return new SqlLexer(sql, lexicon).run();
}

class SqlLexer {
  private readonly tokens: SqlToken[] = [];
  private pos = 0;
  /** Inside a MySQL executable comment, whose `*\/` closes it. */
  private executable = false;

  constructor(
    private readonly sql: string,
    private readonly lexicon: SqlLexicon,
  ) {}

  run(): SqlToken[] {
    while (this.pos < this.sql.length) this.next();
    return this.tokens;
  }

  private next(): void {
    const { sql, lexicon } = this;
    const start = this.pos;
    const c = sql[start]!;
    const after = sql[start + 1];
    if (SPACE.test(c)) {
      while (this.pos < sql.length && SPACE.test(sql[this.pos]!)) this.pos++;
      return this.push('space', start);
    }
    if (this.isLineComment(c, after)) return this.lineComment(start);
    if (c === '/' && after === '*') return this.blockComment(start);
    if (c === '*' && after === '/' && this.executable) {
      this.executable = false;
      this.pos += 2;
      return this.push('comment', start);
    }
    if (c === "'") return this.quoted(start, "'", lexicon.backslashEscapes, 'string');
    if (lexicon.stringQuotes.includes(c)) {
      return this.quoted(start, c, lexicon.backslashEscapes, 'string');
    }
    const closer = lexicon.identifierQuotes[c];
    if (closer !== undefined) return this.quoted(start, closer, false, 'identifier');
    if (c === '$' && lexicon.dollarQuotes && this.dollar(start)) return;
    if (c === '?' && lexicon.positional === '?') {
      this.pos++;
      while (this.pos < sql.length && /\d/.test(sql[this.pos]!)) this.pos++; // SQLite's ?NNN
      return this.push('positional', start);
    }
    if (c === ':') return this.colon(start, after);
    if (WORD_PART.test(c)) return this.word(start);
    this.pos++;
    this.push('symbol', start);
  }

  private isLineComment(c: string, after: string | undefined): boolean {
    if (c === '#') return this.lexicon.hashComments;
    if (c !== '-' || after !== '-') return false;
    if (!this.lexicon.dashCommentNeedsSpace) return true;
    const third = this.sql[this.pos + 2];
    return third === undefined || SPACE.test(third);
  }

  private lineComment(start: number): void {
    const newline = this.sql.indexOf('\n', start);
    this.pos = newline < 0 ? this.sql.length : newline;
    this.push('comment', start);
  }

  private blockComment(start: number): void {
    const { sql, lexicon } = this;
    if (lexicon.executableComments) {
      EXECUTABLE_OPEN.lastIndex = start;
      const open = EXECUTABLE_OPEN.exec(sql);
      if (open) {
        // `/*!50100 … */` runs its body: only the markers are comments.
        this.executable = true;
        this.pos = start + open[0].length;
        return this.push('comment', start);
      }
    }
    let depth = 0;
    let i = start;
    while (i < sql.length) {
      if (sql.startsWith('/*', i)) {
        depth = lexicon.nestedComments ? depth + 1 : 1;
        i += 2;
      } else if (sql.startsWith('*/', i)) {
        depth--;
        i += 2;
        if (depth === 0) {
          this.pos = i;
          return this.push('comment', start);
        }
      } else {
        i++;
      }
    }
    throw unterminated('comment', start);
  }

  /**
   * A literal or identifier whose opening quote is at `open` (after a prefix such as `E`), closed
   * by `closer`; a doubled closer stands for itself.
   */
  private quoted(
    start: number,
    closer: string,
    backslashEscapes: boolean,
    kind: 'string' | 'identifier',
    open = start,
  ): void {
    const { sql } = this;
    let i = open + 1;
    while (i < sql.length) {
      const c = sql[i]!;
      if (backslashEscapes && c === '\\') {
        i += 2;
      } else if (c === closer && sql[i + 1] === closer && closer !== ']') {
        i += 2;
      } else if (c === closer) {
        this.pos = i + 1;
        return this.push(kind, start);
      } else {
        i++;
      }
    }
    throw unterminated(kind === 'string' ? 'string literal' : 'quoted identifier', start);
  }

  /** `$tag$…$tag$` or `$1`; false when the `$` is neither. */
  private dollar(start: number): boolean {
    const { sql } = this;
    DOLLAR_POSITIONAL.lastIndex = start;
    const positional = DOLLAR_POSITIONAL.exec(sql);
    if (positional) {
      this.pos = start + positional[0].length;
      this.push(this.lexicon.positional === '$n' ? 'positional' : 'word', start);
      return true;
    }
    DOLLAR_TAG.lastIndex = start;
    const tag = DOLLAR_TAG.exec(sql)?.[0];
    if (tag === undefined) return false;
    const close = sql.indexOf(tag, start + tag.length);
    if (close < 0) throw unterminated('dollar-quoted string', start);
    this.pos = close + tag.length;
    this.push('string', start);
    return true;
  }

  private colon(start: number, after: string | undefined): void {
    const { sql } = this;
    const before = start > 0 ? sql[start - 1]! : '';
    if (after === ':' || after === '=') {
      this.pos += 2; // a `::type` cast or an `:=` assignment
      return this.push('symbol', start);
    }
    // `arr[lo:hi]` is a slice, not a placeholder: the colon follows a word.
    if (after !== undefined && WORD_START.test(after) && !WORD_PART.test(before)) {
      this.pos++;
      while (this.pos < sql.length && WORD_PART.test(sql[this.pos]!)) this.pos++;
      return this.push('parameter', start);
    }
    this.pos++;
    this.push('symbol', start);
  }

  private word(start: number): void {
    const { sql } = this;
    while (this.pos < sql.length && WORD_PART.test(sql[this.pos]!)) this.pos++;
    const text = sql.slice(start, this.pos);
    if (this.lexicon.escapeStrings && (text === 'E' || text === 'e') && sql[this.pos] === "'") {
      return this.quoted(start, "'", true, 'string', this.pos);
    }
    this.push('word', start);
  }

  private push(kind: SqlTokenKind, start: number): void {
    this.tokens.push({ kind, start, end: this.pos, text: this.sql.slice(start, this.pos) });
  }
}

function unterminated(what: string, offset: number): QueryError {
  return new QueryError('QUERY_UNTERMINATED', what, `unterminated ${what} at offset ${offset}`);
}
