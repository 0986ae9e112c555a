import { QueryError } from '../errors';
import type { SqlLexicon } from '../dialects/sql-lexicon';

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

/**
 * Characters that look like spaces or are invisible or control characters. Outside literals and
 * comments, one that is not among the dialect's own spaces is refused: how the server reads it
 * (a space, part of a name, an error) is exactly where a scanner and a server could disagree.
 */
const SPACE_LIKE_PRINTABLE = /[\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff]/;
/** ASCII control characters (C0 and DEL): MySQL's my_iscntrl for utf8mb4. */
const isAsciiControl = (code: number): boolean => code < 0x20 || code === 0x7f;
const isSpaceLike = (c: string): boolean => {
  const code = c.charCodeAt(0);
  if (code > 0x20 && code < 0x7f) return false; // printable ASCII, the common case
  return isAsciiControl(code) || (code >= 0x80 && code <= 0x9f) || SPACE_LIKE_PRINTABLE.test(c);
};
const DIGIT = /[0-9]/;
const NUMBER =
  /0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?/y;
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const DOLLAR_POSITIONAL = /\$\d+/y;
const EXECUTABLE_OPEN = /\/\*M?!/y;

/** What a quoted token is and how it is read. */
interface QuotedToken {
  readonly kind: 'string' | 'identifier';
  /** A backslash escapes the next character (MySQL strings, PostgreSQL `E'…'`). */
  readonly backslashEscapes: boolean;
  /** Where the opening quote is, when a prefix (`E`) comes first. @default the token's start */
  readonly open?: number;
}

/**
 * Splits SQL into tokens by the dialect's lexical rules. Only enough of SQL is recognised to tell
 * code from literals, quoted identifiers and comments; the database parses the rest.
 * @throws QueryError `QUERY_UNTERMINATED` for a string, quoted identifier or comment left open:
 *   where it ends is exactly where this scanner and the database could disagree;
 *   `QUERY_AMBIGUOUS_TEXT` for text the server could read otherwise than this scanner (a NUL, a
 *   space-like character the server does not take for a space, an executable comment, a
 *   backslash before a quote whose meaning depends on a session setting).
 */
export function tokenize(sql: string, lexicon: SqlLexicon): SqlToken[] {
  return new SqlLexer(sql, lexicon).run();
}

class SqlLexer {
  private readonly tokens: SqlToken[] = [];
  private pos = 0;
  constructor(
    private readonly sql: string,
    private readonly lexicon: SqlLexicon,
  ) {}

  run(): SqlToken[] {
    const nul = this.sql.indexOf('\0');
    if (nul >= 0) throw ambiguous(`a NUL character at offset ${nul}`);
    while (this.pos < this.sql.length) this.next();
    return this.tokens;
  }

  private isSpace(c: string): boolean {
    return this.lexicon.spaces.includes(c);
  }

  private next(): void {
    const { sql, lexicon } = this;
    const start = this.pos;
    const c = sql[start]!;
    const after = sql[start + 1];
    if (this.isSpace(c)) {
      while (this.pos < sql.length && this.isSpace(sql[this.pos]!)) this.pos++;
      return this.push('space', start);
    }
    if (isSpaceLike(c)) throw ambiguousCharacter(c, start);
    if (this.isLineComment(c, after)) return this.lineComment(start);
    if (c === '/' && after === '*') return this.blockComment(start);
    const { backslashEscapes } = lexicon;
    if (c === "'") return this.quoted(start, "'", { kind: 'string', backslashEscapes });
    if (lexicon.stringQuotes.includes(c)) {
      return this.quoted(start, c, { kind: 'string', backslashEscapes });
    }
    const closer = lexicon.identifierQuotes[c];
    if (closer !== undefined)
      return this.quoted(start, closer, { kind: 'identifier', backslashEscapes: false });
    if (c === '$' && lexicon.dollarQuotes && this.dollar(start)) return;
    if (c === '?' && lexicon.positional === '?') {
      this.pos++;
      while (this.pos < sql.length && /\d/.test(sql[this.pos]!)) this.pos++; // SQLite's ?NNN
      return this.push('positional', start);
    }
    if (lexicon.placeholderSigils.includes(c)) {
      this.pos++;
      this.skipWord();
      return this.push('positional', start);
    }
    if (c === ':') return this.colon(start, after);
    if (DIGIT.test(c) && !lexicon.identifiersMayStartWithDigit) return this.number(start);
    if (WORD_PART.test(c)) return this.word(start);
    this.pos++;
    this.push('symbol', start);
  }

  private isLineComment(c: string, after: string | undefined): boolean {
    if (c === '#') return this.lexicon.hashComments;
    if (c !== '-' || after !== '-') return false;
    if (!this.lexicon.dashCommentNeedsSpace) return true;
    // MySQL: `--` followed by a space or a control character (my_isspace || my_iscntrl).
    const third = this.sql[this.pos + 2];
    if (third === undefined || this.isSpace(third) || isAsciiControl(third.charCodeAt(0)))
      return true;
    if (isSpaceLike(third)) throw ambiguousCharacter(third, this.pos + 2);
    return false;
  }

  private lineComment(start: number): void {
    const { sql } = this;
    let i = start;
    while (i < sql.length && !this.lexicon.lineCommentEnds.includes(sql[i]!)) i++;
    this.pos = i;
    this.push('comment', start);
  }

  private blockComment(start: number): void {
    const { sql, lexicon } = this;
    if (lexicon.executableComments) {
      EXECUTABLE_OPEN.lastIndex = start;
      const open = EXECUTABLE_OPEN.exec(sql);
      // `/*!50100 … */` runs its body only on a server at least that new.
      if (open) throw ambiguous(`an executable comment at offset ${start}`);
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
    { kind, backslashEscapes, open = start }: QuotedToken,
  ): void {
    const { sql } = this;
    // An E'…' string escapes whatever the settings; a plain one may or may not.
    const modal = kind === 'string' && this.lexicon.backslashDependsOnSettings && open === start;
    let i = open + 1;
    while (i < sql.length) {
      const c = sql[i]!;
      if (c === '\\' && (backslashEscapes || modal)) {
        let run = 1;
        while (sql[i + run] === '\\') run++;
        const odd = run % 2 === 1;
        if (modal && odd && sql[i + run] === closer) {
          throw ambiguous(
            `a backslash before a quote at offset ${i + run - 1}: double the quote or bind the value`,
          );
        }
        i += backslashEscapes && odd ? run + 1 : run;
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
      this.skipWord();
      return this.push('parameter', start);
    }
    this.pos++;
    this.push('symbol', start);
  }

  /** A number; one that runs on into a name or a `$` is read differently by each server. */
  private number(start: number): void {
    const { sql } = this;
    NUMBER.lastIndex = start;
    this.pos = start + NUMBER.exec(sql)![0].length;
    const next = sql[this.pos];
    if (next !== undefined && WORD_PART.test(next)) {
      throw ambiguous(`a number running into a name at offset ${start}`);
    }
    this.push('word', start);
  }

  /** Moves past the characters of a name; a space-like one among them is refused. */
  private skipWord(): void {
    const { sql } = this;
    while (this.pos < sql.length && WORD_PART.test(sql[this.pos]!)) {
      if (isSpaceLike(sql[this.pos]!)) throw ambiguousCharacter(sql[this.pos]!, this.pos);
      this.pos++;
    }
  }

  private word(start: number): void {
    const { sql } = this;
    this.skipWord();
    const text = sql.slice(start, this.pos);
    if (this.lexicon.escapeStrings && (text === 'E' || text === 'e') && sql[this.pos] === "'") {
      return this.quoted(start, "'", { kind: 'string', backslashEscapes: true, open: this.pos });
    }
    this.push('word', start);
  }

  private push(kind: SqlTokenKind, start: number): void {
    this.tokens.push({ kind, start, end: this.pos, text: this.sql.slice(start, this.pos) });
  }
}

function ambiguous(what: string): QueryError {
  return new QueryError(
    'QUERY_AMBIGUOUS_TEXT',
    what,
    `${what} is refused: the database could read it otherwise than the statement guard`,
  );
}

function ambiguousCharacter(c: string, offset: number): QueryError {
  const code = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return ambiguous(`the character U+${code} at offset ${offset}`);
}

function unterminated(what: string, offset: number): QueryError {
  return new QueryError('QUERY_UNTERMINATED', what, `unterminated ${what} at offset ${offset}`);
}
