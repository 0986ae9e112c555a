import type { TestTarget } from './servers';

/** The statements one call must produce on each target, whitespace folded. */
export type SqlByTarget = Readonly<Record<Exclude<TestTarget, 'postgres-registered'>, string[]>>;

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
  expect(statements.map(fold)).toEqual(expected[target].map(fold));
}
