import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { prepareValue } from 'pg/lib/utils';
import type { QueryRunner } from 'typeorm';

const ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
});

/** One value in COPY's text format, rendered exactly as pg would send it as a parameter. */
function encode(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const prepared = Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : prepareValue(value);
  if (prepared === null) return '\\N';
  const text = Buffer.isBuffer(prepared) ? `\\x${prepared.toString('hex')}` : prepared;
  return text.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!);
}

/**
 * `COPY table (columns) FROM STDIN` of `rows` (driver values, one array per row) on the query
 * runner's connection, so it joins the runner's transaction. Logged like any other statement.
 */
export async function copyRows(
  runner: QueryRunner,
  sql: string,
  rows: readonly (readonly unknown[])[],
): Promise<number> {
  const client = (await runner.connect()) as PoolClient;
  runner.connection.logger.logQuery(sql, [], runner);
  const text = rows.map((row) => row.map(encode).join('\t')).join('\n') + '\n';
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from([text]), stream);
  return Number(stream.rowCount ?? rows.length);
}
