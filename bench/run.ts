/**
 * `npm run bench [-- suite…]`: runs the named suites (all by default) on every reachable dialect
 * in one run, prints Markdown tables of ratios against baselines measured in the same run, and
 * writes the raw figures to bench/results/.
 */
import 'reflect-metadata';
import type { DialectName } from '../src';
import { reachableDialects } from './dialects';
import { printTable, saveResults, type ReportRow } from './harness';
import { batchSizeSuite } from './suites/batch-size';
import { bulkSuite } from './suites/bulk';
import { cacheSuite } from './suites/cache';
import { coalesceSuite } from './suites/coalesce';
import { crudSuite } from './suites/crud';
import { icontainsSuite } from './suites/icontains';
import { lockingSuite } from './suites/locking';
import { rawQuerySuite } from './suites/raw-query';
import { sqliteDriversSuite } from './suites/sqlite-drivers';
import { streamSuite } from './suites/stream';
import { writeBehindSuite } from './suites/write-behind';

const SUITES: Readonly<
  Record<string, { title: string; run: (d: DialectName) => Promise<ReportRow[]> }>
> = {
  crud: { title: 'Single-row CRUD', run: (d) => crudSuite(d, Number(process.env.BENCH_N ?? 2000)) },
  bulk: {
    title: 'Bulk operations',
    run: (d) => bulkSuite(d, Number(process.env.BENCH_BULK_N ?? 100_000)),
  },
  batch: {
    title: 'bulkCreate batch size',
    run: (d) => batchSizeSuite(d, Number(process.env.BENCH_BULK_N ?? 100_000)),
  },
  stream: {
    title: 'Streaming load memory',
    run: (d) => streamSuite(d, Number(process.env.BENCH_STREAM_N ?? 1_000_000)),
  },
  cache: {
    title: 'Caching: findById per call',
    run: (d) => cacheSuite(d, Number(process.env.BENCH_CACHE_N ?? 2000)),
  },
  locking: {
    title: 'Optimistic locking',
    run: (d) =>
      lockingSuite(d, Number(process.env.BENCH_LOCK_N ?? 200), Number(process.env.BENCH_N ?? 2000)),
  },
  coalesce: {
    title: 'Write coalescing: create() vs createBatched(), 64 concurrent producers',
    run: (d) => coalesceSuite(d, Number(process.env.BENCH_COALESCE_N ?? 1000)),
  },
  icontains: {
    title: 'icontains on SQLite: the Unicode tbr_lower() against the ASCII-only LOWER()',
    run: (d) => icontainsSuite(d, Number(process.env.BENCH_ICONTAINS_N ?? 20_000)),
  },
  'sqlite-drivers': {
    title: 'SQLite drivers on TypeORM 0.3: sqlite3 against better-sqlite3',
    run: (d) =>
      sqliteDriversSuite(
        d,
        Number(process.env.BENCH_N ?? 2000),
        Number(process.env.BENCH_BULK_N ?? 20_000),
      ),
  },
  'write-behind': {
    title: 'Write-behind: enqueueCreate() vs create()/createBatched(), drainer vs bulkCreate',
    run: (d) => writeBehindSuite(d, Number(process.env.BENCH_WB_N ?? 5000)),
  },
  'raw-query': {
    title: 'Raw queries: repo.query() vs DataSource.query()',
    run: (d) => rawQuerySuite(d, Number(process.env.BENCH_N ?? 2000)),
  },
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((s) => !(s in SUITES));
  if (unknown.length > 0)
    throw new Error(
      `unknown suite(s) ${unknown.join(', ')}; have ${Object.keys(SUITES).join(', ')}`,
    );
  const only = process.env.BENCH_DIALECTS?.split(',');
  const dialects = (await reachableDialects()).filter((d) => !only || only.includes(d));
  console.log(`bench: node ${process.version}, dialects ${dialects.join(', ')}`);
  for (const name of requested.length > 0 ? requested : Object.keys(SUITES)) {
    const suite = SUITES[name]!;
    const rows: ReportRow[] = [];
    for (const dialect of dialects) rows.push(...(await suite.run(dialect)));
    printTable(suite.title, rows);
    console.log(`\nraw figures: ${saveResults(name, rows)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
