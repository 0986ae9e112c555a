import type { ErrorCode } from './error-codes';

/**
 * Every error this library throws is a {@link RepositoryError} with a stable `code`.
 * Codes never change between releases; messages may.
 *
 * Two families, as in MikroORM:
 * - usage errors (bad input, missing rows, version conflicts, wrong options), raised before or
 *   instead of SQL, each built by a named factory where the same failure is raised in several
 *   places;
 * - database errors, every one a `DriverError`, translated from driver codes by the dialect
 *   adapter (`src/dialects/`).
 *
 * The bulk errors report what a bulk call did before it failed.
 */
export abstract class RepositoryError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
