import { simpleLowercase } from './simple-lowercase';

/** The SQL function `SqliteSyntax` registers for `icontains`: {@link simpleLowercase}. */
export const LOWER_FUNCTION = 'tbr_lower';

/** What better-sqlite3's `Database` offers to define a function; node-sqlite3's has none. */
interface FunctionHost {
  function(name: string, options: { deterministic: boolean }, fn: (v: unknown) => unknown): void;
}

/** The connections {@link LOWER_FUNCTION} is registered on. */
const prepared = new WeakSet<object>();

const lowerValue = (value: unknown) => (typeof value === 'string' ? simpleLowercase(value) : value);

/**
 * Registers {@link LOWER_FUNCTION} on `connection` once. False where the driver cannot define
 * functions (node-sqlite3).
 */
export function prepareLower(connection: unknown): boolean {
  if (typeof connection !== 'object' || connection === null) return false;
  if (prepared.has(connection)) return true;
  if (typeof (connection as Partial<FunctionHost>).function !== 'function') return false;
  (connection as FunctionHost).function(LOWER_FUNCTION, { deterministic: true }, lowerValue);
  prepared.add(connection);
  return true;
}
