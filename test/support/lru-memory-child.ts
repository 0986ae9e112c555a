/**
 * Measures the heap an LruCacheStore really holds, for the memory-bound test. Run as
 * `node --expose-gc -r ts-node/register/transpile-only lru-memory-child.ts <case> <maxBytes> [max]`;
 * prints one JSON line: heapUsed after filling the store through its public API (and gc) minus
 * heapUsed before the store existed, and how many of the filled entries it still answers.
 */
import { LruCacheStore, type CacheRef } from '../../src';

type Case = 'small' | 'large-ascii' | 'large-non-ascii';

const cases: Record<Case, { readonly count: number; readonly value: (i: number) => string }> = {
  // A `{ id, n }` row, as a driver or Redis decodes it.
  small: { count: 100_000, value: (i) => `{"id":${i},"n":${i * 7}}` },
  // 2 KB strings: Latin-1 text is stored one byte a character, other text two.
  'large-ascii': { count: 10_000, value: (i) => JSON.stringify({ id: i, text: text(i, 'a') }) },
  'large-non-ascii': {
    count: 10_000,
    value: (i) => JSON.stringify({ id: i, text: text(i, 'ж') }),
  },
};

/** A 2,048-character string, distinct per entry. */
function text(i: number, char: string): string {
  return `${i}:`.padEnd(2048, char);
}

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) global.gc!();
  return process.memoryUsage().heapUsed;
}

function ref(i: number): CacheRef {
  return { namespace: 'emp', scope: 'row', key: `id:${i}` };
}

function main(): void {
  const name = process.argv[2] as Case;
  const maxBytes = Number(process.argv[3]);
  const max = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
  const { count, value } = cases[name];
  const fill = () => {
    const store = new LruCacheStore({ maxBytes, max });
    for (let i = 0; i < count; i++) {
      const read = store.read(ref(i));
      // JSON.parse gives each entry its own flat strings, as values decoded from a driver have.
      store.fill(ref(i), read.lease!, JSON.parse(value(i)), 60_000);
    }
    return store;
  };
  // A first store, dropped, settles what the first run compiles and caches: without it the
  // baseline holds garbage that later collections free, and the delta varies by megabytes.
  fill();
  const baseline = heapAfterGc();
  const store = fill();
  const delta = heapAfterGc() - baseline;
  let held = 0;
  for (let i = 0; i < count; i++) if (store.read(ref(i)).hit) held++;
  process.stdout.write(`${JSON.stringify({ name, count, maxBytes, max, delta, held })}\n`);
}

main();
