import { LIKE_ESCAPE, likePattern, type MatchMode } from './like-pattern';
import { STANDARD_LEXICON, type SqlLexicon } from './sql-lexicon';

/** Binds a value and returns its placeholder in the statement being built. */
export type Bind = (value: unknown) => string;

/** An upsert's conflict handling. Every column name is already quoted. */
export interface UpsertSpec {
  /** Columns that identify a conflict (`ON CONFLICT (…)`; MySQL reacts to any unique key). */
  readonly conflictColumns: readonly string[];
  /** Columns overwritten from the incoming row. All lists empty means "skip on conflict". */
  readonly updateColumns: readonly string[];
  /** Columns incremented by one on update: the version. */
  readonly incrementColumns?: readonly string[];
  /** Columns set to now on update: the update date. */
  readonly touchColumns?: readonly string[];
  /**
   * The update applies only where the existing row's value equals the incoming one exactly
   * ({@link SqlSyntax.exactEquals}): the tenant.
   */
  readonly guardEqual?: readonly string[];
  /** The update applies only where the existing row's value is NULL: the delete date. */
  readonly guardNull?: readonly string[];
}

/** The alias of an INSERT's target table, used by upserts. */
export const UPSERT_ALIAS = '"t0"';

/**
 * The SQL-syntax part of a dialect: how the library writes each piece of SQL that differs between
 * servers. Every statement the library builds takes its identifiers, placeholders, lists, pattern
 * matches, orderings, upsert clauses and savepoints from here; nothing else writes them. The
 * defaults are standard SQL (as PostgreSQL and SQLite read it); a dialect overrides only what
 * differs. Stateless apart from what its constructor is given, so one instance serves every
 * statement of a DataSource.
 */
export class SqlSyntax {
  /**
   * Where raw SQL is code and where it is a literal or a comment (see `repo.query`).
   * @default STANDARD_LEXICON
   */
  readonly sqlLexicon: SqlLexicon = STANDARD_LEXICON;

  /**
   * The LIMIT {@link limitOffset} sends with an OFFSET that has none, where the dialect needs one
   * (MySQL has no OFFSET without LIMIT); `undefined` where OFFSET stands alone.
   * @default undefined
   */
  readonly limitForBareOffset: number | undefined = undefined;

  /**
   * What makes a SELECT a locking read (`FOR UPDATE`), for keys read before an upsert inside its
   * transaction: a row another connection inserts meanwhile must wait, or the upsert would count
   * it as its own insert. Empty where writes are serialised anyway (SQLite).
   * @default ' FOR UPDATE'
   */
  readonly lockingRead: string = ' FOR UPDATE';

  // --- names and values -------------------------------------------------------------------

  /** The placeholder for the `index`-th (0-based) bound value of a statement. */
  placeholder(_index: number): string {
    return '?';
  }

  quoteIdentifier(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  /** A SQL expression for "now" with sub-second precision where the dialect has it. */
  currentTimestamp(): string {
    return 'CURRENT_TIMESTAMP';
  }

  /** The body of an INSERT that gives every column its default. */
  defaultValuesClause(): string {
    return 'DEFAULT VALUES';
  }

  // --- conditions ---------------------------------------------------------------------------

  /**
   * `[NOT] IN (…)` over a list of bindable values: one placeholder per value, and an empty row
   * set for an empty list, so that `IN` matches nothing and `NOT IN` everything. A dialect that
   * writes a list otherwise overrides {@link listParameters} with it.
   */
  inList(values: readonly unknown[], negated: boolean, bind: Bind): string {
    const items = values.length > 0 ? values.map(bind).join(', ') : this.emptyRowSet();
    return `${negated ? 'NOT IN' : 'IN'} (${items})`;
  }

  /** Bind parameters {@link inList} takes for a list of `length` values. */
  listParameters(length: number): number {
    return length;
  }

  /** A subquery with no rows, for an empty `IN` list (`IN ()` is a syntax error). */
  protected emptyRowSet(): string {
    return 'SELECT NULL WHERE 1 = 0';
  }

  /**
   * `column` equals `value` exactly: byte for byte, whatever the column's collation (no case
   * folding, no trailing-space padding). The tenant guard of every statement is written by this.
   * `value` returns the SQL of the compared value and is called once per occurrence, so that a
   * bound parameter is bound again where the form needs it twice. Standard SQL: plain `=`, exact
   * under PostgreSQL's deterministic collations (every built-in one).
   */
  exactEquals(column: string, value: () => string): string {
    return `${column} = ${value()}`;
  }

  /** Case-sensitive pattern match whose wildcards in `value` match literally. */
  matchCaseSensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `${column} LIKE ${bind(likePattern(mode, value))} ESCAPE '${LIKE_ESCAPE}'`;
  }

  /** Case-insensitive pattern match whose wildcards in `value` match literally. */
  matchCaseInsensitive(column: string, mode: MatchMode, value: string, bind: Bind): string {
    return `LOWER(${column}) LIKE LOWER(${bind(likePattern(mode, value))}) ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * ` LIMIT n OFFSET m` of a page, either part left out where it is `undefined`. An OFFSET alone
   * takes {@link limitForBareOffset}. The offset is bound; the limit is written as an integer
   * literal, part of the statement's shape as in TypeORM's own SQL: SQLite runs a page under
   * `LIMIT ?` at about half the speed of `LIMIT 50` (a one-row page took 14 µs against 6).
   * @throws TypeError for a limit that is not a safe integer (callers check page bounds first)
   */
  limitOffset(limit: number | undefined, offset: number | undefined, bind: Bind): string {
    const rows = limit ?? (offset === undefined ? undefined : this.limitForBareOffset);
    if (rows !== undefined && !Number.isSafeInteger(rows)) {
      throw new TypeError(`LIMIT must be a safe integer, got ${String(rows)}`);
    }
    const limitSql = rows === undefined ? '' : ` LIMIT ${rows}`;
    return offset === undefined ? limitSql : `${limitSql} OFFSET ${bind(offset)}`;
  }

  /**
   * What to add to ORDER BY so that NULLs sort as the smallest value on every dialect
   * (first ascending, last descending), which is what MySQL and SQLite do natively.
   */
  nullsOrdering(_direction: 'ASC' | 'DESC'): 'NULLS FIRST' | 'NULLS LAST' | undefined {
    return undefined;
  }

  // --- upserts ------------------------------------------------------------------------------

  /**
   * The start of a multi-row INSERT. The target gets an alias so that an upsert can tell the
   * existing row (`t0.version`) from the incoming one (`EXCLUDED.version`).
   */
  insertInto(table: string, columns: readonly string[]): string {
    return `INSERT INTO ${table} AS ${UPSERT_ALIAS} (${columns.join(', ')})`;
  }

  /** `ON CONFLICT (…) DO NOTHING`, or `DO UPDATE SET … [WHERE guard]`. */
  upsertClause(spec: UpsertSpec): string {
    const target = `(${spec.conflictColumns.join(', ')})`;
    const assignments = this.upsertAssignments(spec);
    if (assignments.length === 0) return `ON CONFLICT ${target} DO NOTHING`;
    const sets = assignments.map((a) => `${a.column} = ${a.value}`).join(', ');
    const guard = this.upsertGuard(spec);
    return `ON CONFLICT ${target} DO UPDATE SET ${sets}${guard ? ` WHERE ${guard}` : ''}`;
  }

  /**
   * A RETURNING expression that is true for rows an upsert inserted and false for rows it
   * updated, where the dialect has one; otherwise the caller reads the existing keys first (in
   * the upsert's transaction, by a locking read). The driver's value for it is read by
   * `ValueBinding.readBoolean`.
   */
  upsertInsertedFlag(): string | undefined {
    return undefined;
  }

  /** The existing row's value of `column` inside an upsert's update. */
  protected existing(column: string): string {
    return `${UPSERT_ALIAS}.${column}`;
  }

  /** The incoming row's value of `column` inside an upsert's update. */
  protected incoming(column: string): string {
    return `EXCLUDED.${column}`;
  }

  /** The assignments of an upsert's update, without their guard. */
  protected upsertAssignments(spec: UpsertSpec): { column: string; value: string }[] {
    return [
      ...spec.updateColumns.map((c) => ({ column: c, value: this.incoming(c) })),
      ...(spec.incrementColumns ?? []).map((c) => ({
        column: c,
        value: `${this.existing(c)} + 1`,
      })),
      ...(spec.touchColumns ?? []).map((c) => ({ column: c, value: this.currentTimestamp() })),
    ];
  }

  /** The condition under which an upsert may overwrite the existing row, if any. */
  protected upsertGuard(spec: UpsertSpec): string | undefined {
    const conditions = [
      ...(spec.guardEqual ?? []).map((c) =>
        this.exactEquals(this.existing(c), () => this.incoming(c)),
      ),
      ...(spec.guardNull ?? []).map((c) => `${this.existing(c)} IS NULL`),
    ];
    return conditions.length > 0 ? conditions.join(' AND ') : undefined;
  }

  // --- savepoints ---------------------------------------------------------------------------

  /** `SAVEPOINT name`, and its release and rollback: a bulk call's isolation inside a transaction. */
  savepoint(name: string): string {
    return `SAVEPOINT ${name}`;
  }

  releaseSavepoint(name: string): string {
    return `RELEASE SAVEPOINT ${name}`;
  }

  rollbackToSavepoint(name: string): string {
    return `ROLLBACK TO SAVEPOINT ${name}`;
  }
}
