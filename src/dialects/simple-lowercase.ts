/**
 * The case folding of `icontains`, `istartswith` and `iendswith` on every dialect: each code
 * point by its Unicode simple lowercase mapping (UnicodeData.txt), with no context and no locale.
 * Accents stay (`ü` is not `u`), one letter never becomes two (`ß` is not `ss`, `İ` is `i`),
 * `Σ` is always `σ` (never the final `ς`), and dotless `ı` is its own letter. It is what
 * PostgreSQL's `lower()` under a libc UTF-8 ctype and MySQL's `LOWER()` do, one code point at a
 * time.
 */
export function simpleLowercase(text: string): string {
  // JS toLowerCase is the full mapping, which differs from the simple one, locale aside, in
  // two places only: İ becomes i + U+0307, and Σ becomes ς at the end of a word.
  return SPECIAL.test(text)
    ? text.replace(SPECIAL_ALL, toSimple).toLowerCase()
    : text.toLowerCase();
}

const SPECIAL = /[\u0130\u03a3]/;
const SPECIAL_ALL = /[\u0130\u03a3]/g;
const toSimple = (ch: string) => (ch === '\u0130' ? 'i' : '\u03c3');
