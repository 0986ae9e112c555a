import { QueryError } from '../errors';
import type { SqlToken } from './sql-lexer';

/**
 * - `read`: SELECT and friends; changes nothing (unless a function it calls does)
 * - `write`: INSERT, UPDATE, DELETE, MERGE, or a CTE/EXPLAIN that contains one
 * - `admin`: anything else (DDL, GRANT, SET, PRAGMA, COPY, CALL, DO, `SELECT … INTO` …)
 */
export type StatementKind = 'read' | 'write' | 'admin';

export interface GuardedStatement {
  /** The leading keyword, upper-cased. */
  readonly keyword: string;
  readonly kind: StatementKind;
  /** Offset where the statement ends: at a trailing `;`, else the end of the text. */
  readonly end: number;
}

export interface GuardOptions {
  /** Let `admin` statements through (the repository's `allowAdmin`). */
  readonly allowAdmin: boolean;
}

type Words = Readonly<Record<string, true>>;

/** Statements that only read. WITH and EXPLAIN are reads unless they contain a write. */
const READ: Words = Object.freeze({
  SELECT: true,
  VALUES: true,
  TABLE: true,
  WITH: true,
  EXPLAIN: true,
  SHOW: true,
  DESCRIBE: true,
  DESC: true,
});

const WRITE: Words = Object.freeze({
  INSERT: true,
  UPDATE: true,
  DELETE: true,
  REPLACE: true,
  MERGE: true,
});

/** Words that make a WITH or EXPLAIN a write (`REPLACE` is also a string function, so not it). */
const DATA_CHANGE: Words = Object.freeze({ INSERT: true, UPDATE: true, DELETE: true, MERGE: true });

/** Words that make an EXPLAIN an admin statement (PostgreSQL explains `CREATE TABLE … AS`). */
const SCHEMA_CHANGE: Words = Object.freeze({
  CREATE: true,
  DROP: true,
  ALTER: true,
  TRUNCATE: true,
  GRANT: true,
  REVOKE: true,
  RENAME: true,
});

/**
 * Transaction control would leave the repository's connection in a state it does not know about
 * (a pooled connection released mid-transaction, or the caller's transaction ended under it).
 */
const TRANSACTION_CONTROL: Words = Object.freeze({
  BEGIN: true,
  COMMIT: true,
  ROLLBACK: true,
  SAVEPOINT: true,
  RELEASE: true,
  END: true,
  ABORT: true,
  XA: true,
});

/** The statements that write with an `INTO`: any other `INTO` is `SELECT … INTO`. */
const INTO_STATEMENT: Words = Object.freeze({ INSERT: true, REPLACE: true, MERGE: true });

/** Modifiers between an INTO_STATEMENT word and its `INTO`. */
const INTO_MODIFIER: Words = Object.freeze({
  IGNORE: true, // MySQL INSERT IGNORE INTO
  LOW_PRIORITY: true,
  HIGH_PRIORITY: true,
  DELAYED: true,
  OR: true, // SQLite INSERT OR ABORT INTO
  ABORT: true,
  FAIL: true,
  ROLLBACK: true,
  REPLACE: true,
});

/** Words that open a CTE body: `name AS (…)`, `AS MATERIALIZED (…)`. */
const CTE_OPEN: Words = Object.freeze({ AS: true, MATERIALIZED: true });

/** EXPLAIN's own options before the statement it explains (PostgreSQL's and MySQL's). */
const EXPLAIN_OPTION: Words = Object.freeze({
  ANALYZE: true,
  ANALYSE: true,
  VERBOSE: true,
  EXTENDED: true,
  PARTITIONS: true,
  FORMAT: true,
  JSON: true,
  TREE: true,
  TRADITIONAL: true,
});

/**
 * Session settings that change how the server lexes the statements after them on the same
 * pooled connection (a backslash that starts to escape, `"` that becomes a quote for names, a
 * client encoding whose multibyte characters swallow a quote), and the functions and views that
 * set them from inside a read. Named anywhere, even in a literal, the statement is admin.
 */
const LEXING_SETTINGS = [
  'standard_conforming_strings',
  'backslash_quote',
  'client_encoding',
  'sql_mode',
  'ansi_quotes',
  'no_backslash_escapes',
  'character_set_client',
  'set_config',
  'pg_settings',
];

/**
 * Checks that `tokens` hold exactly one statement (one trailing `;` allowed) and that it may run:
 * transaction control never, admin statements only with `allowAdmin`. Reads only tokens, so a
 * `;` or a keyword inside a literal, a quoted identifier or a comment never counts.
 *
 * This guards against mistakes and against SQL pieced together from input; it is not a sandbox
 * (a SELECT can call a function that does anything). The database user's privileges are that.
 * @throws QueryError `QUERY_EMPTY`, `QUERY_MULTIPLE_STATEMENTS`, `QUERY_TRANSACTION_CONTROL`,
 *   `QUERY_DDL_REFUSED`, `QUERY_LEXING_CHANGE_REFUSED`
 */
export function guardStatement(
  tokens: readonly SqlToken[],
  textLength: number,
  options: GuardOptions,
): GuardedStatement {
  const code = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const semicolon = code.findIndex((t) => t.text === ';');
  if (semicolon >= 0 && semicolon < code.length - 1) {
    const at = code[semicolon]!.start;
    throw new QueryError(
      'QUERY_MULTIPLE_STATEMENTS',
      ';',
      `several statements in one string (";" at offset ${at}): run one per call, inside ` +
        'repo.transaction() when they must succeed together',
    );
  }
  const statement = semicolon >= 0 ? code.slice(0, semicolon) : code;
  const end = semicolon >= 0 ? code[semicolon]!.start : textLength;
  const first = statement.find((t) => t.text !== '(');
  if (!first) throw new QueryError('QUERY_EMPTY', '', 'the SQL holds no statement');
  const keyword = first.kind === 'word' ? first.text.toUpperCase() : first.text;
  const kind = classify(keyword, statement);
  if (isTransactionControl(keyword, statement, first)) {
    throw new QueryError(
      'QUERY_TRANSACTION_CONTROL',
      keyword,
      `${keyword} is refused: use repo.transaction() or withTransaction(), which also bind the ` +
        'repository to the transaction (repo.withManager)',
    );
  }
  const setting = options.allowAdmin ? undefined : lexingSetting(tokens);
  if (setting !== undefined) {
    throw new QueryError(
      'QUERY_LEXING_CHANGE_REFUSED',
      setting,
      `a statement naming ${setting} is refused: it can change how the server reads later ` +
        'statements on the connection; it needs a repository built with allowAdmin: true',
    );
  }
  if (kind === 'admin' && !options.allowAdmin) {
    const what = keyword === 'SELECT' || keyword === 'WITH' ? `${keyword} … INTO` : keyword;
    throw new QueryError(
      'QUERY_DDL_REFUSED',
      what,
      `${what} is refused: DDL and other administrative statements need a repository built ` +
        'with allowAdmin: true',
    );
  }
  return { keyword, kind, end };
}

function classify(keyword: string, statement: readonly SqlToken[]): StatementKind {
  const words = statement.filter((t) => t.kind === 'word').map((t) => t.text.toUpperCase());
  if (hasSelectInto(statement)) return 'admin';
  if (Object.hasOwn(WRITE, keyword)) return 'write';
  if (!Object.hasOwn(READ, keyword)) return 'admin';
  if (keyword === 'EXPLAIN' && words.some((w) => Object.hasOwn(SCHEMA_CHANGE, w))) return 'admin';
  if (keyword === 'WITH' || keyword === 'EXPLAIN') {
    return words.some((w) => Object.hasOwn(DATA_CHANGE, w)) ? 'write' : 'read';
  }
  return 'read';
}

const upper = (token: SqlToken | undefined): string =>
  token?.kind === 'word' ? token.text.toUpperCase() : '';

/**
 * Whether an `INTO` is not the INTO of an INSERT, REPLACE or MERGE that starts a statement (or
 * a CTE body, or the statement an EXPLAIN explains). PostgreSQL reserves none of those words, so
 * `SELECT 1 AS ignore INTO t2` and `SELECT (1) replace INTO t2` are `SELECT … INTO` too.
 */
function hasSelectInto(statement: readonly SqlToken[]): boolean {
  return statement.some((token, i) => upper(token) === 'INTO' && !isInsertInto(statement, i));
}

/** Whether the INTO at `into` is that of an INSERT, REPLACE or MERGE starting a statement. */
function isInsertInto(statement: readonly SqlToken[], into: number): boolean {
  for (let at = into - 1; at >= 0; at--) {
    const word = upper(statement[at]);
    if (Object.hasOwn(INTO_STATEMENT, word) && startsStatement(statement, at)) return true;
    if (!Object.hasOwn(INTO_MODIFIER, word)) return false;
  }
  return false;
}

/** Whether the token at `at` is where a statement starts. */
function startsStatement(statement: readonly SqlToken[], at: number): boolean {
  const before = at - 1;
  if (before < 0 || (before === 0 && statement[0]!.text === '(')) return true;
  const previous = statement[before]!.text;
  // `name AS (INSERT …)`, or the main statement after `WITH name AS (…)`.
  const open = previous === '(' ? before : previous === ')' ? matchingOpen(statement, before) : -1;
  if (open > 0 && Object.hasOwn(CTE_OPEN, upper(statement[open - 1]))) return true;
  return upper(statement[0]) === 'EXPLAIN' && explainHead(statement, before);
}

/** Whether every token from the first to `last` is EXPLAIN or one of its options. */
function explainHead(statement: readonly SqlToken[], last: number): boolean {
  for (let i = 1; i <= last; i++) {
    const token = statement[i]!;
    if (token.text === '(' && i === 1) {
      const close = matchingClose(statement, 1);
      if (close < 0 || close > last) return false;
      i = close;
      continue;
    }
    if (token.text === '=' || Object.hasOwn(EXPLAIN_OPTION, upper(token))) continue;
    return false;
  }
  return true;
}

function matchingOpen(statement: readonly SqlToken[], close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const text = statement[i]!.text;
    if (text === ')') depth++;
    else if (text === '(' && --depth === 0) return i;
  }
  return -1;
}

function matchingClose(statement: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < statement.length; i++) {
    const text = statement[i]!.text;
    if (text === '(') depth++;
    else if (text === ')' && --depth === 0) return i;
  }
  return -1;
}

function lexingSetting(tokens: readonly SqlToken[]): string | undefined {
  for (const token of tokens) {
    const text = token.text.toLowerCase();
    const found = LEXING_SETTINGS.find((name) => text.includes(name));
    if (found !== undefined) return found;
  }
  return undefined;
}

function isTransactionControl(
  keyword: string,
  statement: readonly SqlToken[],
  first: SqlToken,
): boolean {
  if (Object.hasOwn(TRANSACTION_CONTROL, keyword)) return true;
  // START TRANSACTION, but not MySQL's START SLAVE / START REPLICA (admin statements).
  const second = statement[statement.indexOf(first) + 1];
  return keyword === 'START' && second?.text.toUpperCase() === 'TRANSACTION';
}
