import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docBlocks } from './doc-blocks';

const root = join(__dirname, '..', '..');

/**
 * The blocks marked `<!-- file: path -->` (on the line before the fence, blank lines aside), with
 * the file each is a copy of.
 */
function copies(): { name: string; path: string; code: string }[] {
  return docBlocks(root).flatMap((block) => {
    const lines = readFileSync(join(root, block.file), 'utf8').split('\n');
    let i = block.line - 2;
    while (i >= 0 && lines[i]!.trim() === '') i--;
    const marker = /^<!-- file: (\S+) -->$/.exec(lines[i] ?? '');
    return marker ? [{ name: block.name, path: marker[1]!, code: block.code }] : [];
  });
}

// A marked block is a copy of a file that tsc compiles and a test runs against the servers, so the
// guide shows code that works there and not only code that type-checks. The copy imports the
// package by name where the file imports its source.
describe('documentation copies of files', () => {
  const marked = copies();

  it('are found', () => {
    expect(marked.map((c) => c.path)).toContain('examples/dialects/cockroach-dialect.ts');
  });

  it.each(marked)('$name is $path as it is', ({ path, code }) => {
    const file = readFileSync(join(root, path), 'utf8').replace(
      /from '(\.\.\/)+src'/g,
      "from 'typeorm-base-repository'",
    );
    expect(`${code}\n`).toBe(file);
  });
});
