import { SQLITE_DRIVER, type TestTarget } from './servers';

/**
 * The statements one call must produce on each target, whitespace folded; `sqlite3` for the
 * SQLite target through node-sqlite3 (the TypeORM 0.3 matrix), where it writes no RETURNING.
 */
export type SqlByTarget = Readonly<
  Record<Exclude<TestTarget, 'postgres-registered'>, string[]> & { sqlite3: string[] }
>;

const fold = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * Kysely's `testSql` for this project: pins the SQL a call writes on every dialect side by side,
 * so that a change to one dialect's SQL shows in one place and in review.
 */
export function expectSql(
  target: Exclude<TestTarget, 'postgres-registered'>,
  statements: readonly string[],
  expected: SqlByTarget,
): void {
  const key = target === 'sqlite' && SQLITE_DRIVER === 'sqlite3' ? 'sqlite3' : target;
  expect(statements.map(fold)).toEqual(expected[key].map(fold));
}
