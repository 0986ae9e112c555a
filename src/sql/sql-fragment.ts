import type { Bind } from '../dialects/sql-syntax';

/** Stands for a bound value while a fragment is written; no SQL the library writes holds NUL. */
const SLOT = '\u0000';

/**
 * A piece of SQL with its bound values, not yet numbered: the text between the values, and the
 * values. A statement writes it in place with its own `bind` ({@link writeInto}), so the
 * placeholders continue the statement's numbering (`$3, $4` on PostgreSQL) wherever it goes, and
 * {@link parameters} says how many values it adds before any statement is built.
 */
export class SqlFragment {
  private constructor(
    private readonly texts: readonly string[],
    readonly params: readonly unknown[],
  ) {}

  /** Writes a fragment with `write`, whose `bind` takes each value in text order. */
  static of(write: (bind: Bind) => string): SqlFragment {
    const params: unknown[] = [];
    const sql = write((value) => {
      params.push(value);
      return SLOT;
    });
    const texts = sql.split(SLOT);
    // A NUL in an identifier (the only text that does not come from the library) would shift
    // every value after it: refuse rather than bind values to the wrong placeholders.
    if (texts.length !== params.length + 1) {
      throw new TypeError('SQL text must not contain NUL characters');
    }
    return new SqlFragment(texts, params);
  }

  /** The number of bound values the fragment adds to a statement. */
  get parameters(): number {
    return this.params.length;
  }

  /** The fragment's SQL, each value bound through `bind` in order. */
  writeInto(bind: Bind): string {
    const { texts, params } = this;
    let sql = texts[0]!;
    for (let i = 0; i < params.length; i++) sql += bind(params[i]) + texts[i + 1]!;
    return sql;
  }
}
