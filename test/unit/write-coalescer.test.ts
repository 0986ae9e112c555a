import { WriteCoalescer, type BatchSink, type Settled } from '../../src';
import { CoalescerStats, MAX_TRACKED_SIGNATURES } from '../../src/coalescing/coalescer-metrics';
import { Histogram, histogramQuantile } from '../../src/coalescing/histogram';

/**
 * An in-memory sink: records what it was given, answers each payload with itself, fails payloads
 * that start with "bad", and can hold its batches until released.
 */
class RecordingSink implements BatchSink<string, string> {
  readonly name = 'Thing';
  readonly batches: string[][] = [];
  readonly singles: string[] = [];
  readonly #held: (() => void)[] = [];
  hold = false;
  failWhole?: Error;

  async writeBatch(payloads: readonly string[]): Promise<Settled<string>[]> {
    this.batches.push([...payloads]);
    if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
    if (this.failWhole) throw this.failWhole;
    return payloads.map((p) =>
      p.startsWith('bad')
        ? { ok: false, error: Object.assign(new Error(p), { code: 'X' }) }
        : { ok: true, value: p },
    );
  }

  async writeOne(payload: string): Promise<string> {
    this.singles.push(payload);
    return payload;
  }

  releaseOne(): void {
    this.#held.shift()?.();
  }
}

/** Lets queued microtasks and already-due callbacks run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WriteCoalescer', () => {
  it('flushes a group as soon as it holds maxBatchSize entries', async () => {
    const coalescer = new WriteCoalescer({ maxBatchSize: 3, maxWaitMs: 60_000 });
    const sink = new RecordingSink();
    const answers = ['a', 'b', 'c'].map((p) => coalescer.submit(sink, '', 'sig', p));
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c']);
    expect(sink.batches).toEqual([['a', 'b', 'c']]);
    await coalescer.close();
  });

  it('never puts two partitions, signatures or sinks in one batch', async () => {
    const coalescer = new WriteCoalescer({ maxBatchSize: 100, maxWaitMs: 60_000 });
    const [one, two] = [new RecordingSink(), new RecordingSink()];
    const calls = [
      coalescer.submit(one, 't1', 's1', 'a'),
      coalescer.submit(one, 't2', 's1', 'b'),
      coalescer.submit(one, 't1', 's2', 'c'),
      coalescer.submit(two, 't1', 's1', 'd'),
      coalescer.submit(one, 't1', 's1', 'e'),
      coalescer.submit(one, 't2', 's1', 'f'),
    ];
    await coalescer.flush();
    expect(await Promise.all(calls)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(one.batches).toEqual([
      ['a', 'e'],
      ['b', 'f'],
    ]);
    expect(one.singles).toEqual(['c']); // a group of one is below minBatchSize (2)
    expect(two.singles).toEqual(['d']);
    await coalescer.close();
  });

  it('answers each caller with its own outcome', async () => {
    const coalescer = new WriteCoalescer({ maxBatchSize: 3 });
    const sink = new RecordingSink();
    const settled = await Promise.allSettled(
      ['a', 'bad-1', 'c'].map((p) => coalescer.submit(sink, '', '', p)),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).toBe('bad-1');
    const metrics = coalescer.metrics();
    expect(metrics.errors).toEqual({ X: 1 });
    expect(metrics.fallbacks).toBe(1);
    await coalescer.close();
  });

  it('a batch that fails as a whole fails every caller in it', async () => {
    const coalescer = new WriteCoalescer({ maxBatchSize: 2 });
    const sink = new RecordingSink();
    sink.failWhole = new Error('connection lost');
    const settled = await Promise.allSettled(
      ['a', 'b'].map((p) => coalescer.submit(sink, '', '', p)),
    );
    expect(settled.map((s) => (s as PromiseRejectedResult).reason)).toEqual([
      sink.failWhole,
      sink.failWhole,
    ]);
    expect(coalescer.metrics()).toMatchObject({
      failedBatches: 1,
      errors: { UNKNOWN: 2 },
      pending: 0,
    });
    await coalescer.close();
  });

  it('holds callers beyond maxPending and admits them in arrival order', async () => {
    const coalescer = new WriteCoalescer({ maxBatchSize: 2, maxPending: 2, maxWaitMs: 60_000 });
    const sink = new RecordingSink();
    sink.hold = true;
    const calls = ['a', 'b', 'c', 'd', 'e'].map((p) => coalescer.submit(sink, '', '', p));
    await turn();
    expect(sink.batches).toEqual([['a', 'b']]);
    expect(coalescer.metrics()).toMatchObject({ pending: 2, waiting: 3, backpressureWaits: 3 });
    sink.releaseOne();
    await turn();
    expect(sink.batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(coalescer.metrics()).toMatchObject({ pending: 2, waiting: 1 });
    sink.releaseOne();
    await turn();
    sink.hold = false;
    await coalescer.flush(); // 'e' was admitted alone; flush writes it without waiting a minute
    expect(await Promise.all(calls)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(coalescer.metrics()).toMatchObject({ pending: 0, waiting: 0, peakPending: 2 });
    await coalescer.close();
  });

  it('close() drains what is queued and sends later calls down the single-row path', async () => {
    const coalescer = new WriteCoalescer({ maxBatchSize: 10, maxWaitMs: 60_000 });
    const sink = new RecordingSink();
    const queued = ['a', 'b', 'c'].map((p) => coalescer.submit(sink, '', '', p));
    await coalescer.close();
    expect(sink.batches).toEqual([['a', 'b', 'c']]);
    expect(await Promise.all(queued)).toEqual(['a', 'b', 'c']);
    expect(await coalescer.submit(sink, '', '', 'late')).toBe('late');
    expect(sink.singles).toEqual(['late']);
    expect(coalescer.metrics().individual.closed).toBe(1);
    expect(coalescer.accepting).toBe(false);
  });

  it('enabled: false writes every call by the single-row path', async () => {
    const coalescer = new WriteCoalescer({ enabled: false });
    const sink = new RecordingSink();
    expect(await Promise.all(['a', 'b'].map((p) => coalescer.submit(sink, '', '', p)))).toEqual([
      'a',
      'b',
    ]);
    expect(sink.batches).toEqual([]);
    expect(coalescer.metrics().individual.disabled).toBe(2);
  });
});

describe('Histogram', () => {
  it('counts each observation into the first bucket whose bound it does not exceed', () => {
    const h = new Histogram([1, 10, 100]);
    for (const v of [0.5, 1, 2, 10, 11, 100, 1000]) h.observe(v);
    expect(h.snapshot()).toEqual({
      bounds: [1, 10, 100],
      counts: [2, 2, 2, 1],
      count: 7,
      sum: 1124.5,
      max: 1000,
    });
  });

  it('estimates quantiles from above by bucket bounds', () => {
    const h = new Histogram([1, 10, 100]);
    expect(histogramQuantile(h.snapshot(), 0.5)).toBe(0);
    for (let i = 0; i < 98; i++) h.observe(5);
    h.observe(50);
    h.observe(400);
    expect(histogramQuantile(h.snapshot(), 0.5)).toBe(10);
    expect(histogramQuantile(h.snapshot(), 0.99)).toBe(100);
    expect(histogramQuantile(h.snapshot(), 1)).toBe(400);
  });

  it('never reports a quantile above the largest observation', () => {
    const h = new Histogram([1, 10, 100]);
    h.observe(3);
    expect(histogramQuantile(h.snapshot(), 0.5)).toBe(3);
  });
});

describe('CoalescerStats signatures', () => {
  it('counts distinct signatures per entity and alerts on each new one after the first', () => {
    const stats = new CoalescerStats();
    for (const [entity, sig] of [
      ['A', 'x'],
      ['A', 'x'],
      ['A', 'y'],
      ['B', 'x'],
      ['A', 'z'],
    ] as const) {
      stats.signature(entity, sig);
    }
    const metrics = stats.snapshot(0, 0);
    expect(metrics.schemaVariations).toEqual({ A: 3, B: 1 });
    expect(metrics.schemaVariationAlerts).toBe(2);
  });

  it('stops remembering new signatures past the cap', () => {
    const stats = new CoalescerStats();
    for (let i = 0; i < MAX_TRACKED_SIGNATURES + 50; i++) stats.signature('A', String(i));
    expect(stats.snapshot(0, 0).schemaVariations).toEqual({ A: MAX_TRACKED_SIGNATURES });
  });
});
