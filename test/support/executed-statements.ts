import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { StatementKind } from '../../src/query/statement-guard';

/** One raw query as the repository handled it. */
export interface SentCase {
  readonly index: number;
  /** The statement the repository sent and the kind the guard gave it; absent when refused. */
  readonly sent?: { readonly sql: string; readonly kind: StatementKind };
  /** How many rows it returned; absent when refused or when the server raised an error. */
  readonly rows?: number;
}

/**
 * The server's own record of what one session ran, checked case by case against what the guard
 * let through: nothing for a refused case, exactly one statement of the guard's kind otherwise.
 */
export interface ExecutedStatements {
  /** Right after a case (also a refused one), before anything else runs on the session. */
  afterCase(sent: SentCase): Promise<void>;
  /** The cases whose record differs from the guard's, each with what the server ran. */
  mismatches(): Promise<string[]>;
  /** How many cases have been checked so far. */
  readonly checked: number;
  /** Puts back whatever server settings it changed. */
  close(): Promise<void>;
}

const READS = new Set(['SELECT', 'VALUES', 'TABLE', 'WITH', 'EXPLAIN', 'SHOW', 'DESCRIBE', 'DESC']);
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE']);

/**
 * The kind of a statement the server ran, from its leading keyword in the server's own record
 * and from whether the server says it changed something: a SELECT that changed something is a
 * `SELECT … INTO` (admin), a WITH that did holds a data-changing CTE (write). Deliberately not
 * the guard's lexer, so that the two can disagree.
 */
export function executedKind(text: string, changed: boolean): StatementKind {
  const rest = text.replace(/^(?:\s|\(|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  const keyword = /^[a-z]+/i.exec(rest)?.[0].toUpperCase() ?? '';
  if (WRITES.has(keyword) || (keyword === 'WITH' && changed)) return 'write';
  return READS.has(keyword) && !changed ? 'read' : 'admin';
}

const describeCase = (c: SentCase) =>
  `case ${c.index} ${JSON.stringify(c.sent?.sql)} (guard: ${c.sent?.kind ?? 'refused'}${
    c.sent && c.rows === undefined ? ', server error' : ''
  })`;

interface PgssEntry {
  query: string;
  calls: string;
  rows: string;
  wal_records: string;
}

/**
 * PostgreSQL's pg_stat_statements (needs `shared_preload_libraries`), top-level statements of
 * one role only, so the checks' own queries from another role do not count. Read after every
 * case and reset when not empty: one cheap round trip for a refused case, two otherwise.
 * pg_stat_statements records a statement when it completes, so a case the server refused
 * leaves none, and it merges statements that differ only in constants (hence `calls`).
 * "Changed something" is WAL written: a read writes none here (the cluster has no data
 * checksums, so hint bits are not logged, and the canary has no dead rows to prune).
 */
export class PgStatStatements implements ExecutedStatements {
  readonly #found: string[] = [];
  #checked = 0;

  private constructor(
    private readonly admin: Client,
    private readonly role: string,
  ) {}

  /** `admin` is a superuser session of another role than `role`, the fuzzed session's. */
  static async open(admin: Client, role: string): Promise<PgStatStatements> {
    await admin.query('SELECT pg_stat_statements_reset()');
    return new PgStatStatements(admin, role);
  }

  get checked(): number {
    return this.#checked;
  }

  async afterCase(c: SentCase): Promise<void> {
    const { rows: entries } = await this.admin.query<PgssEntry>(
      `SELECT query, calls, rows, wal_records FROM pg_stat_statements
        WHERE userid = $1::regrole AND toplevel`,
      [this.role],
    );
    if (entries.length > 0) await this.admin.query('SELECT pg_stat_statements_reset()');
    this.#checked++;
    const calls = entries.reduce((sum, e) => sum + Number(e.calls), 0);
    const ran = entries
      .map((e) => `${JSON.stringify(e.query)} ×${e.calls} rows ${e.rows} wal ${e.wal_records}`)
      .join(', ');
    const expected = c.sent !== undefined && c.rows !== undefined ? 1 : 0;
    if (calls !== expected) {
      this.#found.push(`${describeCase(c)}: ${calls} statements ran: ${ran}`);
      return;
    }
    const entry = entries[0];
    if (!entry || !c.sent) return;
    const kind = executedKind(entry.query, Number(entry.wal_records) > 0);
    if (kind !== c.sent.kind || Number(entry.rows) !== c.rows) {
      this.#found.push(`${describeCase(c)}, ${c.rows} rows: the server ran ${kind}: ${ran}`);
    }
  }

  async mismatches(): Promise<string[]> {
    return [...this.#found];
  }

  async close(): Promise<void> {}
}

/** How many cases may wait for one read of the general log (each read scans the whole table). */
const GENERAL_LOG_BATCH = 500;
/** Serializes runs that use the general log: one would switch it off under another. */
const GENERAL_LOG_LOCK = 'tbr_guard_fuzz_general_log';

/** A query as MySQL runs and logs it: without leading and trailing whitespace and `;`. */
const asReceived = (sql: string) =>
  sql.replace(/^[ \t\n\v\f\r]+/, '').replace(/[ \t\n\v\f\r;]+$/, '');

/** The server's statement counters that mean a write; every other but SELECT and SHOW is admin. */
const WRITE_COUNTERS = new Set(
  ['INSERT', 'INSERT_SELECT', 'UPDATE', 'UPDATE_MULTI', 'DELETE', 'DELETE_MULTI']
    .concat(['REPLACE', 'REPLACE_SELECT'])
    .map((name) => `COM_${name}`),
);

/** The kind of a statement by the counter the server counted it under. */
function counterKind(counter: string, changed: boolean): StatementKind {
  if (WRITE_COUNTERS.has(counter)) return 'write';
  const reads = counter === 'COM_SELECT' || counter.startsWith('COM_SHOW_');
  return reads && !changed ? 'read' : 'admin';
}

type Counters = Readonly<Record<string, number>>;

interface LogRow extends RowDataPacket {
  command_type: string;
  argument: string;
}

/**
 * After each case the fuzzed session runs this marker: its own statement counters (the Com_*
 * status variables, by the server's own classification), the case's ROW_COUNT(), and its
 * connection id. In the general log, the rows between two markers are one case's.
 */
const MARKER =
  'SELECT ? AS guard_fuzz_case, ROW_COUNT() AS affected, CONNECTION_ID() AS thread, ' +
  '(SELECT JSON_OBJECTAGG(VARIABLE_NAME, VARIABLE_VALUE) FROM information_schema.SESSION_STATUS ' +
  "WHERE VARIABLE_NAME LIKE 'COM\\_%' AND VARIABLE_VALUE <> '0') AS counters";
const MARKER_LOGGED = /^SELECT (-?\d+) AS guard_fuzz_case, ROW_COUNT\(\)/;

interface Marker {
  /** ROW_COUNT() of the case's statement: -1 when it returned a result set (or failed). */
  readonly affected: number;
  readonly thread: number;
  readonly counters: Counters;
}

/**
 * MySQL/MariaDB. The general log, switched on into `mysql.general_log` while this is open, shows
 * what the server received: every query, logged before it runs; other sessions log too, so rows
 * are taken by the fuzzed session's thread id. It logs a string of several statements once,
 * though, so what ran is counted by the session's Com_* counters, one per statement the server
 * executed (also one that then failed, not one it could not parse). The marker reads them and
 * ROW_COUNT() after every case; the log is read only every {@link GENERAL_LOG_BATCH} cases, and
 * the markers in it still give each case its own rows. "Changed something" is a ROW_COUNT()
 * other than -1, which only a statement that returned a result set (or failed) leaves:
 * SELECT … INTO gives the rows it stored.
 */
export class MysqlGeneralLog implements ExecutedStatements {
  readonly #found: string[] = [];
  #pending: SentCase[] = [];
  #consumed = 0;
  #checked = 0;

  private constructor(
    private readonly fuzz: DataSource,
    private readonly admin: Connection,
    private readonly start: Marker,
    private readonly since: string,
    private readonly previous: { on: number; output: string },
    private counters: Counters,
  ) {}

  /**
   * `fuzz` must have one pooled connection (poolSize 1); `admin` is another session, which
   * holds a named lock until close.
   */
  static async open(fuzz: DataSource, admin: Connection): Promise<MysqlGeneralLog> {
    const [[lock]] = await admin.query<RowDataPacket[]>('SELECT GET_LOCK(?, 50) AS got', [
      GENERAL_LOG_LOCK,
    ]);
    if (Number(lock!.got) !== 1) throw new Error(`another run holds ${GENERAL_LOG_LOCK}`);
    const [[previous]] = await admin.query<RowDataPacket[]>(
      'SELECT @@GLOBAL.general_log AS `on`, @@GLOBAL.log_output AS output',
    );
    const [[now]] = await admin.query<RowDataPacket[]>(
      "SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f') AS since",
    );
    // Before the log is on, so that the first case's rows start the log.
    const start = await MysqlGeneralLog.mark(fuzz, -1);
    const log = new MysqlGeneralLog(
      fuzz,
      admin,
      start,
      String(now!.since),
      { on: Number(previous!.on), output: String(previous!.output) },
      start.counters,
    );
    try {
      // Leftovers of earlier runs would make every read slower; nobody else is logging.
      if (log.previous.on === 0) await admin.query('TRUNCATE mysql.general_log');
      await admin.query("SET GLOBAL log_output = 'TABLE'");
      await admin.query('SET GLOBAL general_log = 1');
    } catch (error) {
      await log.close();
      throw error;
    }
    return log;
  }

  static async mark(fuzz: DataSource, index: number): Promise<Marker> {
    const [row] = (await fuzz.query(MARKER, [index])) as Record<string, unknown>[];
    const raw = row!.counters;
    const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, string>;
    const counters = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, Number(v)]));
    return { affected: Number(row!.affected), thread: Number(row!.thread), counters };
  }

  get checked(): number {
    return this.#checked;
  }

  async afterCase(c: SentCase): Promise<void> {
    const marker = await MysqlGeneralLog.mark(this.fuzz, c.index);
    const ran: string[] = [];
    for (const [counter, value] of Object.entries(marker.counters)) {
      const times = value - (this.counters[counter] ?? 0) - (counter === 'COM_SELECT' ? 1 : 0);
      for (let i = 0; i < times; i++) ran.push(counter);
    }
    this.counters = marker.counters;
    const listed = `ran ${ran.join(', ') || 'nothing'} (ROW_COUNT ${marker.affected})`;
    const failed = c.sent !== undefined && c.rows === undefined;
    if (marker.thread !== this.start.thread) {
      this.#found.push(`${describeCase(c)}: ran on connection ${marker.thread}`);
    } else if (!c.sent ? ran.length > 0 : ran.length > 1 || (!failed && ran.length === 0)) {
      this.#found.push(`${describeCase(c)}: ${ran.length} statements ${listed}`);
    } else if (c.sent && ran[0] && counterKind(ran[0], marker.affected !== -1) !== c.sent.kind) {
      this.#found.push(`${describeCase(c)}: the server ${listed}`);
    }
    this.#pending.push(c);
    if (this.#pending.length >= GENERAL_LOG_BATCH) await this.#readLog();
  }

  /** Each pending case's rows in the general log: none when refused, else its one query. */
  async #readLog(): Promise<void> {
    const [rows] = await this.admin.query<LogRow[]>(
      `SELECT command_type, argument FROM mysql.general_log
        WHERE thread_id = ? AND event_time >= ?`,
      [this.start.thread, this.since],
    );
    let at = this.#consumed;
    for (const c of this.#pending) {
      const end = rows.findIndex(
        (r, i) => i >= at && MARKER_LOGGED.exec(r.argument)?.[1] === String(c.index),
      );
      if (end < 0) {
        this.#found.push(`${describeCase(c)}: its marker is not in the general log`);
        break;
      }
      const received = rows.slice(at, end);
      at = end + 1;
      this.#checked++;
      const expected = c.sent ? [asReceived(c.sent.sql)] : [];
      const got = received.map((r) => (r.command_type === 'Query' ? r.argument : r.command_type));
      if (got.length !== expected.length || got.some((text, i) => text !== expected[i])) {
        this.#found.push(`${describeCase(c)}: the server received ${JSON.stringify(got)}`);
      }
    }
    this.#consumed = at;
    this.#pending = [];
  }

  async mismatches(): Promise<string[]> {
    if (this.#pending.length > 0) await this.#readLog();
    return [...this.#found];
  }

  /** Restores general_log and log_output as they were, then releases the lock. */
  async close(): Promise<void> {
    try {
      await this.admin.query('SET GLOBAL general_log = ?', [this.previous.on]);
      await this.admin.query('SET GLOBAL log_output = ?', [this.previous.output]);
      if (this.previous.on === 0) await this.admin.query('TRUNCATE mysql.general_log');
    } finally {
      await this.admin.query('SELECT RELEASE_LOCK(?)', [GENERAL_LOG_LOCK]);
    }
  }
}
