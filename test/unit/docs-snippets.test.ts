import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));

/** Each `<!-- snippet: path -->` marker and the fenced block after it. */
function snippets(markdown: string): { path: string; code: string }[] {
  const marked = /<!-- snippet: (\S+) -->\s*```ts\n([\s\S]*?)```/g;
  return [...markdown.matchAll(marked)].map((m) => ({ path: m[1]!, code: m[2]! }));
}

// A marked snippet is a copy of a file that tsc compiles and a test runs, so that the docs show
// code that works. The copy imports the package by name where the file imports its source.
describe('docs snippets', () => {
  const marked = docs.flatMap((doc) =>
    snippets(readFileSync(join(root, 'docs', doc), 'utf8')).map((s) => ({ doc, ...s })),
  );

  it('are found', () => {
    expect(marked.map((s) => s.path)).toContain('examples/dialects/cockroach-dialect.ts');
  });

  it.each(marked)('$doc shows $path as it is', ({ path, code }) => {
    const file = readFileSync(join(root, path), 'utf8').replace(
      /from '(\.\.\/)+src'/g,
      "from 'typeorm-base-repository'",
    );
    expect(code).toBe(file);
  });
});
