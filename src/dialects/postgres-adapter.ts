import type { Driver, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import {
  DialectAdapter,
  driverCodeOf,
  EVERY_STATEMENT,
  type Bind,
  type CopySource,
  type DatabaseErrorKind,
  type ReturningSupport,
} from './dialect-adapter';
import { copyRows } from './postgres-copy';
import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';

// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
const KINDS: Readonly<Record<string, DatabaseErrorKind>> = Object.freeze({
  '23505': 'unique',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23514': 'check',
  '40P01': 'deadlock',
  '40001': 'serialization',
  '55P03': 'lock-timeout',
  '57P01': 'connection-lost', // admin_shutdown (also pg_terminate_backend)
  '57P02': 'connection-lost', // crash_shutdown
  '08000': 'connection-lost',
  '08003': 'connection-lost',
  '08006': 'connection-lost',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  ECONNREFUSED: 'connection-refused',
  // Refused while connecting, before any statement was sent.
  '57P03': 'connection-refused', // cannot_connect_now: starting up or recovering
  '53300': 'connection-refused', // too_many_connections
  '08001': 'connection-refused', // sqlclient_unable_to_establish_sqlconnection
  '08004': 'connection-refused', // sqlserver_rejected_establishment_of_sqlconnection
});

export class PostgresAdapter extends DialectAdapter {
  readonly name = 'postgres';
  /** The wire protocol counts parameters in an Int16. */
  readonly maxBindParameters = 65_535;
  readonly returning: ReturningSupport = EVERY_STATEMENT;

  /** Any built-in scalar type; enums and array columns would need their own type names. */
  override arrayElementType(column: ColumnMetadata, driver: Driver): string | undefined {
    if (column.isArray || column.type === 'enum' || column.type === 'simple-enum') return undefined;
    const type = driver.normalizeType(column);
    return /^[a-z][a-z0-9 ]*$/.test(type) ? type : undefined;
  }

  override readonly supportsCopy = true;
  /**
   * An `unnest` INSERT binds one array per column and a COPY has no parameters, so neither grows
   * with the rows: 5000 rows a statement measured 10–30% faster than 1000 for unnest (interleaved
   * rounds against the raw statement), and best for COPY (`npm run bench -- batch`).
   */
  override readonly defaultBatchSize = 5000;

  override copyRows(
    runner: QueryRunner,
    table: string,
    columns: readonly string[],
    rows: CopySource,
  ): Promise<number> {
    return copyRows(runner, `COPY ${table} (${columns.join(', ')}) FROM STDIN`, rows);
  }

  override placeholder(index: number): string {
    return `$${index + 1}`;
  }

  override readonly sqlLexicon: SqlLexicon = Object.freeze({
    ...STANDARD_LEXICON,
    escapeStrings: true,
    dollarQuotes: true,
    nestedComments: true,
    positional: '$n' as const,
    // scan.l of PostgreSQL 15: `space [ \t\n\r\f]`, `newline [\n\r]`.
    lineCommentEnds: '\n\r',
    backslashDependsOnSettings: true,
  });

  /** node-postgres sends an array as an array literal; the server infers its element type. */
  override bindableArray(values: readonly unknown[]): unknown {
    return values;
  }

  /**
   * `= ANY($1)` / `<> ALL($1)`: one parameter however long the list, one plan for every length,
   * and an empty array needs no special case.
   */
  override inList(values: readonly unknown[], negated: boolean, bind: Bind): string {
    return `${negated ? '<> ALL' : '= ANY'}(${bind(values)})`;
  }

  override listParameters(): number {
    return 1;
  }

  override matchCaseInsensitive(
    column: string,
    mode: MatchMode,
    value: string,
    bind: Bind,
  ): string {
    return `${column} ILIKE ${bind(likePattern(mode, value))} ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * `=` is exact under deterministic collations, but a column may carry a nondeterministic
   * (case- or accent-insensitive ICU) one: the text compared under `"C"`, byte by byte, decides.
   * The plain `=` first keeps the column's index usable.
   */
  override exactEquals(column: string, value: () => string): string {
    return `${column} = ${value()} AND ${column}::text = ${value()}::text COLLATE "C"`;
  }

  /** `xmax` is 0 in a freshly inserted row version and set in one an upsert updated. */
  override upsertInsertedFlag(): string {
    return '(xmax = 0)';
  }

  /** node-postgres parses booleans; a text-format result carries `'t'`. */
  override readInsertedFlag(value: unknown): boolean {
    return value === true || value === 't';
  }

  override nullsOrdering(direction: 'ASC' | 'DESC'): 'NULLS FIRST' | 'NULLS LAST' {
    return direction === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST';
  }

  classifyError(error: unknown): DatabaseErrorKind | undefined {
    const code = driverCodeOf(error);
    if (typeof code === 'string' && code in KINDS) return KINDS[code];
    // Class 22, data exception: too long, out of range, invalid text representation, …
    if (typeof code === 'string' && code.startsWith('22')) return 'invalid-data';
    // node-postgres reports a dropped socket, and any query on a client after that, without a
    // code: "Connection terminated unexpectedly", "Client has encountered a connection error and
    // is not queryable". Read the message as a property: errors can cross realms (Jest).
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && /Connection terminated|is not queryable/i.test(message)) {
      return 'connection-lost';
    }
    return undefined;
  }
}
