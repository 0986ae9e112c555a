/** Open runs looked at before a new one is started: one per window written side by side. */
const RECENT_RUNS = 8;

/**
 * A set of input indices kept as runs of consecutive values, so that a million stored rows in
 * input order cost a few numbers, not a million. Indices arrive mostly ascending, a few windows
 * interleaved.
 */
export class IndexRuns {
  /** [start, end) pairs. */
  readonly #runs: [number, number][] = [];

  add(index: number): void {
    const runs = this.#runs;
    for (let k = runs.length - 1; k >= Math.max(0, runs.length - RECENT_RUNS); k--) {
      const run = runs[k]!;
      if (run[1] === index) {
        run[1]++;
        return;
      }
    }
    runs.push([index, index + 1]);
  }

  /** Every index, ascending. */
  toArray(): number[] {
    const sorted = [...this.#runs].sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [start, end] of sorted) for (let i = start; i < end; i++) out.push(i);
    return out;
  }
}
