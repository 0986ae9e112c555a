import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One ```ts block of a Markdown guide. */
export interface DocBlock {
  /** `docs/caching.md #2`: the file and the block's number in it, from 1. */
  readonly name: string;
  readonly file: string;
  /** The line of the opening fence, from 1. */
  readonly line: number;
  readonly code: string;
  /**
   * A whole program (fence ```` ```ts program ````): it imports what it uses, type-checks alone
   * and runs to completion on SQLite. Every other block is a fragment, type-checked against the
   * prelude (test/docs/snippet-prelude.ts).
   */
  readonly program: boolean;
}

const FENCE = /^```(ts|typescript)(?:\s+(\S+))?\s*$/;

/** The TypeScript blocks of the README and of every guide in docs/. */
export function docBlocks(root: string): DocBlock[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter(
    (f) => f.endsWith('.md'),
  );
  return files.flatMap((file) => blocksOf(file, readFileSync(join(root, file), 'utf8')));
}

export function blocksOf(file: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i]!);
    if (open[2] !== undefined && open[2] !== 'program')
      throw new Error(`${file}:${start + 1}: unknown block kind '${open[2]}' (only 'program')`);
    blocks.push({
      name: `${file} #${blocks.length + 1}`,
      file,
      line: start + 1,
      code: body.join('\n'),
      program: open[2] === 'program',
    });
  }
  return blocks;
}
