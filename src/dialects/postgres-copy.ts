import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import type * as PgCopyStreams from 'pg-copy-streams';
import type { QueryRunner } from 'typeorm';
import { localZoneIsUtc, pgLocalDateText } from './date-text';
import type { CopySource } from './bulk-load';
import { optionalPackage } from './optional-package';

/** What COPY uses of pg and pg-copy-streams, loaded at the first COPY (both optional peers). */
interface CopyPackages {
  /** pg's settings: `parseInputDatesAsUTC` is read per value, as pg itself reads it. */
  readonly defaults: { readonly parseInputDatesAsUTC?: boolean };
  readonly prepareValue: (value: unknown) => string | Buffer | null;
  readonly copyFrom: typeof PgCopyStreams.from;
}

let packages: CopyPackages | undefined;

function copyPackages(): CopyPackages {
  if (packages) return packages;
  const feature = 'Bulk loads by COPY on PostgreSQL (bulkCreate with returnIds: false)';
  const pg = optionalPackage<typeof import('pg')>('pg', feature);
  const utils = optionalPackage<{ prepareValue: CopyPackages['prepareValue'] }>(
    'pg/lib/utils',
    feature,
  );
  const streams = optionalPackage<typeof PgCopyStreams>('pg-copy-streams', feature);
  packages = {
    defaults: pg.defaults,
    prepareValue: utils.prepareValue,
    copyFrom: streams.from,
  };
  return packages;
}

const ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
});
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;

/** Rows rendered per piece of the stream: the server parses one piece while the next is built. */
const PIECE_ROWS = 256;

function escaped(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}

/**
 * One value in COPY's text format, rendered exactly as pg would send it as a parameter.
 *
 * @param utc the local time zone is UTC (asked once per COPY, not per date)
 */
function encode(value: unknown, utc: boolean, pg: CopyPackages): string {
  // Strings and numbers are most cells; pg sends them as their text.
  if (typeof value === 'string') return escaped(value);
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date && !pg.defaults.parseInputDatesAsUTC) {
    const text = pgLocalDateText(value, utc);
    if (text !== undefined) return text; // digits and punctuation: nothing to escape
  }
  const prepared = Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : pg.prepareValue(value);
  if (prepared === null) return '\\N';
  return escaped(Buffer.isBuffer(prepared) ? `\\x${prepared.toString('hex')}` : prepared);
}

/** The source's rows as COPY text, a piece of {@link PIECE_ROWS} rows at a time. */
function* pieces(source: CopySource, pg: CopyPackages): Generator<string> {
  const { rowCount, columnCount } = source;
  const utc = localZoneIsUtc();
  for (let start = 0; start < rowCount; start += PIECE_ROWS) {
    let text = '';
    const end = Math.min(rowCount, start + PIECE_ROWS);
    for (let row = start; row < end; row++) {
      for (let column = 0; column < columnCount; column++) {
        if (column > 0) text += '\t';
        text += encode(source.value(row, column), utc, pg);
      }
      text += '\n';
    }
    yield text;
  }
}

/**
 * `COPY table (columns) FROM STDIN` of the source's rows on the query runner's connection, so it
 * joins the runner's transaction. Logged like any other statement.
 */
export async function copyRows(
  runner: QueryRunner,
  sql: string,
  source: CopySource,
): Promise<number> {
  const pg = copyPackages();
  const client = (await runner.connect()) as PoolClient;
  runner.connection.logger.logQuery(sql, [], runner);
  const stream = client.query(pg.copyFrom(sql));
  await pipeline(Readable.from(pieces(source, pg), { objectMode: false }), stream);
  return Number(stream.rowCount ?? source.rowCount);
}
