/** Fixed-bucket histograms, as the coalescer's and the write-behind drainer's metrics keep them. */

/** Upper bounds for rows per batch. */
export const BATCH_ENTRIES_BOUNDS: readonly number[] = Object.freeze([
  1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
]);
/** Upper bounds for a batch's time, in milliseconds. */
export const BATCH_TIME_MS_BOUNDS: readonly number[] = Object.freeze([
  0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
]);

/** A histogram's state: fixed buckets, so recording allocates nothing. */
export interface HistogramSnapshot {
  /** Upper bounds of the buckets, ascending. */
  readonly bounds: readonly number[];
  /**
   * `counts[i]` observations fell in `(bounds[i - 1], bounds[i]]`; the last count,
   * `counts[bounds.length]`, is everything above the last bound.
   */
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
  /** Largest observation; 0 when there is none. */
  readonly max: number;
}

/** Counts observations into fixed buckets. */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = Object.freeze([...bounds]);
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]!) i++;
    this.#counts[i]!++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  snapshot(): HistogramSnapshot {
    return {
      bounds: this.#bounds,
      counts: [...this.#counts],
      count: this.#count,
      sum: this.#sum,
      max: this.#max,
    };
  }
}

/**
 * An upper estimate of the `q`-quantile (0 < q ≤ 1): the bound of the bucket holding that
 * observation, or the maximum when it lies above the last bound. 0 when there is none.
 */
export function histogramQuantile(histogram: HistogramSnapshot, q: number): number {
  if (histogram.count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * histogram.count));
  let seen = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    seen += histogram.counts[i]!;
    if (seen >= rank) return Math.min(histogram.bounds[i] ?? histogram.max, histogram.max);
  }
  return histogram.max;
}
