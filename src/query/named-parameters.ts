import type { SqlToken } from './sql-lexer';

/** The `[NOT] IN (:name)` around a placeholder that is its list's only item. */
export interface InListSpan {
  /** Offset of `IN`, or of `NOT` when negated. */
  readonly start: number;
  /** Offset just past the closing parenthesis. */
  readonly end: number;
  readonly negated: boolean;
}

/** One `:name` in the SQL text. A name used twice gives two placeholders. */
export interface NamedPlaceholder {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Present when the placeholder is the whole list of an `IN (…)`: an array there expands. */
  readonly inList?: InListSpan;
}

/**
 * The named placeholders among `tokens`, in text order. The lexer has already left out a `:name`
 * inside a string, a quoted identifier or a comment, a `::type` cast, an `:=` assignment and an
 * array slice `[lo:hi]`.
 */
export function namedPlaceholders(tokens: readonly SqlToken[]): NamedPlaceholder[] {
  const code = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const found: NamedPlaceholder[] = [];
  code.forEach((token, i) => {
    if (token.kind !== 'parameter') return;
    const placeholder = { name: token.text.slice(1), start: token.start, end: token.end };
    const inList = inListAround(code, i);
    found.push(inList ? { ...placeholder, inList } : placeholder);
  });
  return found;
}

function inListAround(code: readonly SqlToken[], i: number): InListSpan | undefined {
  const open = code[i - 1];
  const keyword = code[i - 2];
  const close = code[i + 1];
  if (!open || !keyword || !close) return undefined;
  if (open.text !== '(' || close.text !== ')' || !isWord(keyword, 'IN')) return undefined;
  const not = code[i - 3];
  const negated = not !== undefined && isWord(not, 'NOT');
  return { start: negated ? not.start : keyword.start, end: close.end, negated };
}

function isWord(token: SqlToken, word: string): boolean {
  return token.kind === 'word' && token.text.toUpperCase() === word;
}
