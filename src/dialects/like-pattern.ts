/** Which end(s) of the value a pattern match anchors. */
export type MatchMode = 'contains' | 'startswith' | 'endswith';

/**
 * The escape character used in every LIKE this library writes. `!` rather than `\` because a
 * backslash means different things in MySQL string literals (and depends on NO_BACKSLASH_ESCAPES).
 */
export const LIKE_ESCAPE = '!';

/** A LIKE pattern whose `%`, `_` and `!` in `value` match literally. */
export function likePattern(mode: MatchMode, value: string): string {
  const literal = value.replace(/[!%_]/g, (ch) => LIKE_ESCAPE + ch);
  return wrap(mode, literal, '%');
}

/** A SQLite GLOB pattern (case-sensitive) whose `*`, `?` and `[` in `value` match literally. */
export function globPattern(mode: MatchMode, value: string): string {
  const literal = value.replace(/[*?[]/g, (ch) => `[${ch}]`);
  return wrap(mode, literal, '*');
}

function wrap(mode: MatchMode, literal: string, any: string): string {
  switch (mode) {
    case 'contains':
      return any + literal + any;
    case 'startswith':
      return literal + any;
    case 'endswith':
      return any + literal;
  }
}
