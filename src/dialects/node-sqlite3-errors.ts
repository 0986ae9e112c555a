import type { DatabaseErrorKind } from './driver-errors';
import { SqliteErrors } from './sqlite-errors';

/** node-sqlite3's constraint messages after `SQLITE_CONSTRAINT: `, by the constraint they name. */
const CONSTRAINTS: readonly (readonly [prefix: string, kind: DatabaseErrorKind])[] = [
  ['UNIQUE constraint failed', 'unique'],
  // A duplicate INTEGER PRIMARY KEY reads "UNIQUE constraint failed" too; other keys this.
  ['PRIMARY KEY constraint failed', 'unique'],
  ['NOT NULL constraint failed', 'not-null'],
  ['FOREIGN KEY constraint failed', 'foreign-key'],
  ['CHECK constraint failed', 'check'],
];

const BUSY: ReadonlySet<string> = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * node-sqlite3's errors (TypeORM 0.3's `type: 'sqlite'`). It reports the primary result code
 * only (code SQLITE_CONSTRAINT, errno 19), so which constraint failed is read from the
 * message SQLite wrote, which names it: `SQLITE_CONSTRAINT: UNIQUE constraint failed: t.email`.
 */
export class NodeSqlite3Errors extends SqliteErrors {
  override classify(error: unknown): DatabaseErrorKind | undefined {
    if (typeof error !== 'object' || error === null) return undefined;
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code !== 'string') return undefined;
    if (BUSY.has(code)) return 'busy';
    if (code !== 'SQLITE_CONSTRAINT' || typeof message !== 'string') return undefined;
    const detail = message.slice(message.indexOf(': ') + 2);
    return CONSTRAINTS.find(([prefix]) => detail.startsWith(prefix))?.[1];
  }
}
