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

/**
 * The words that may precede `INTO` in a data statement. Any other `INTO` is `SELECT … INTO`,
 * which creates a table on PostgreSQL and writes a file or variables on MySQL.
 */
const BEFORE_INTO: Words = Object.freeze({
  INSERT: true,
  REPLACE: true,
  MERGE: true,
  IGNORE: true, // MySQL INSERT IGNORE INTO
  LOW_PRIORITY: true,
  HIGH_PRIORITY: true,
  DELAYED: true,
  ABORT: true, // SQLite INSERT OR ABORT INTO
  FAIL: true,
  ROLLBACK: true,
});

/**
 * Checks that `tokens` hold exactly one statement (one trailing `;` allowed) and that it may run:
 * transaction control never, admin statements only with `allowAdmin`. Reads only tokens, so a
 * `;` or a keyword inside a literal, a quoted identifier or a comment never counts.
 *
 * This guards against mistakes and against SQL pieced together from input; it is not a sandbox
 * (a SELECT can call a function that does anything). The database user's privileges are that.
 * @throws QueryError `QUERY_EMPTY`, `QUERY_MULTIPLE_STATEMENTS`, `QUERY_TRANSACTION_CONTROL`,
 *   `QUERY_DDL_REFUSED`
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

function hasSelectInto(statement: readonly SqlToken[]): boolean {
  return statement.some((token, i) => {
    if (token.kind !== 'word' || token.text.toUpperCase() !== 'INTO') return false;
    const before = statement[i - 1];
    return !(before?.kind === 'word' && Object.hasOwn(BEFORE_INTO, before.text.toUpperCase()));
  });
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
