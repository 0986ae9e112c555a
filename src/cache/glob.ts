/**
 * A matcher for the glob patterns `invalidateCache(pattern)` takes, with Redis' SCAN MATCH
 * semantics for `*`, `?` and `\` escapes, so the in-process and Redis stores agree.
 */
export function globMatcher(pattern: string): (key: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else source += escapeRegExp(ch);
  }
  const regex = new RegExp(`^${source}$`, 's');
  return (key) => regex.test(key);
}

/** Escapes Redis glob metacharacters so that `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (ch) => `\\${ch}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, (ch) => `\\${ch}`);
}
