import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One measured case: how many operations ran, and the per-operation latencies. */
export interface Measurement {
  readonly name: string;
  readonly ops: number;
  readonly totalMs: number;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** A measurement of one timed run over `ops` rows (no per-operation latencies). */
export function throughput(name: string, ops: number, totalMs: number): Measurement {
  return { name, ops, totalMs, opsPerSec: (ops / totalMs) * 1000, p50Us: NaN, p99Us: NaN };
}

/** Times one run over `rows` rows; a failure is reported as a failed case, not thrown. */
export async function timed(
  name: string,
  rows: number,
  run: () => Promise<unknown>,
): Promise<Measurement> {
  const start = process.hrtime.bigint();
  try {
    await run();
  } catch (error) {
    console.warn(`bench: ${name} failed: ${(error as Error).message.slice(0, 120)}`);
    return { ...throughput(`${name} (failed)`, rows, NaN), opsPerSec: 0 };
  }
  return throughput(name, rows, Number(process.hrtime.bigint() - start) / 1e6);
}

/** Runs `op` `count` times sequentially after `warmup` unmeasured runs. */
export async function measure(
  name: string,
  count: number,
  op: (i: number) => Promise<unknown>,
  warmup = Math.min(50, count),
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await op(-1 - i);
  const samples = new Float64Array(count);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  samples.sort();
  return {
    name,
    ops: count,
    totalMs,
    opsPerSec: (count / totalMs) * 1000,
    p50Us: samples[Math.floor(count * 0.5)]!,
    p99Us: samples[Math.min(count - 1, Math.floor(count * 0.99))]!,
  };
}

/** One case of {@link measureInTurns}: its name, how many calls a round makes, and the call. */
export interface TurnCase {
  readonly name: string;
  readonly count: number;
  readonly op: (i: number) => Promise<unknown>;
}

/**
 * Measures several cases in turns, `rounds` times, each round starting with the next case, and
 * reports each case's median round: the compared cases see the same machine state (the other
 * processes on the two cores, the server's caches), which back-to-back runs of one case at a
 * time did not.
 */
export async function measureInTurns(
  cases: readonly TurnCase[],
  rounds = 5,
): Promise<Measurement[]> {
  const runs: Measurement[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const at = (r + k) % cases.length;
      const { name, count, op } = cases[at]!;
      runs[at]!.push(await measure(name, count, op, r === 0 ? Math.min(50, count) : 5));
    }
  }
  return runs.map((samples, at) => {
    const sorted = [...samples].sort((a, b) => a.opsPerSec - b.opsPerSec);
    const middle = sorted[Math.floor(sorted.length / 2)]!;
    return { ...middle, name: `${cases[at]!.name} (median of ${rounds})` };
  });
}

/** A row of the report: the case, its throughput and its ratio to the named baseline. */
export interface ReportRow {
  readonly dialect: string;
  readonly measurement: Measurement;
  readonly baseline?: Measurement;
}

export function printTable(title: string, rows: readonly ReportRow[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| dialect | case | ops/s | p50 µs | p99 µs | vs baseline |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const { dialect, measurement: m, baseline: b } of rows) {
    const ratio = b ? `${(m.opsPerSec / b.opsPerSec).toFixed(2)}× ${b.name}` : 'baseline';
    console.log(
      `| ${dialect} | ${m.name} | ${Math.round(m.opsPerSec)} | ${m.p50Us.toFixed(0)} | ${m.p99Us.toFixed(0)} | ${ratio} |`,
    );
  }
}

/** Writes the raw figures to bench/results/<suite>-<timestamp>.json. */
export function saveResults(suite: string, rows: readonly ReportRow[]): string {
  // npm runs scripts from the package root; the compiled harness lives elsewhere.
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const data = { suite, node: process.version, at: new Date().toISOString(), rows };
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
