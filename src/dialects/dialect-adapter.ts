import { positiveInteger, positiveNumber } from '../config/option-checks';
import type { BulkLoad } from './bulk-load';
import type { DialectCapabilities } from './dialect-capabilities';
import type { ErrorConverter } from './driver-errors';
import type { SqlSyntax } from './sql-syntax';
import type { ValueBinding } from './value-binding';

/** The dialects built into the library; a registered one may have any other name. */
export type DialectName = 'postgres' | 'mysql' | 'sqlite';

/**
 * The parts a dialect is made of, each a separately documented class (or, for the capabilities,
 * plain data) whose defaults follow standard SQL. A dialect overrides only what differs, in the
 * part it belongs to.
 */
export interface DialectParts {
  /** Limits and capabilities: parameter count, statement size, RETURNING, write concurrency. */
  readonly capabilities: DialectCapabilities;
  /** How SQL is written: quoting, placeholders, lists, pattern matches, upserts, savepoints. */
  readonly syntax: SqlSyntax;
  /** How values reach the driver where TypeORM does not convert them, and how some read back. */
  readonly binding: ValueBinding;
  /** How a driver error becomes the library's typed error. */
  readonly errors: ErrorConverter;
  /** Bulk-load forms (COPY, array INSERTs) and how generated keys come back without RETURNING. */
  readonly bulkLoad: BulkLoad;
}

/**
 * What a subclass of a built-in dialect passes up to replace: its name and any of its parts.
 * A part left out is the parent's (built on the replaced syntax, where it depends on it).
 */
export interface DialectOverrides extends Partial<DialectParts> {
  /** The dialect's name, as error messages show it. */
  readonly name?: string;
}

/**
 * Everything that differs between the databases the library runs on, as one object per
 * DataSource (`adapterFor`). The rest of the library asks its parts and never branches on the
 * dialect's name. The built-in dialects are `PostgresAdapter`, `MysqlAdapter` and
 * `SqliteAdapter`; another one is a subclass of one of them, or of this class, given to
 * `registerDialect`.
 *
 * @throws OptionError (`INVALID_CONFIGURATION`) at construction, for a limit that is not a
 *   positive integer (`maxStatementBytes`: a positive number)
 */
export class DialectAdapter implements DialectParts {
  readonly capabilities: DialectCapabilities;
  readonly syntax: SqlSyntax;
  readonly binding: ValueBinding;
  readonly errors: ErrorConverter;
  readonly bulkLoad: BulkLoad;

  constructor(
    /** The dialect's name, as error messages show it (`postgres`, `cockroachdb`). */
    readonly name: string,
    parts: DialectParts,
  ) {
    const { capabilities, bulkLoad } = parts;
    const limit = (what: string) => `dialect ${name}: ${what}`;
    positiveInteger(limit('capabilities.maxBindParameters'), capabilities.maxBindParameters);
    positiveNumber(limit('capabilities.maxStatementBytes'), capabilities.maxStatementBytes);
    positiveInteger(limit('capabilities.writeConcurrency'), capabilities.writeConcurrency);
    positiveInteger(limit('bulkLoad.defaultBatchSize'), bulkLoad.defaultBatchSize);
    this.capabilities = capabilities;
    this.syntax = parts.syntax;
    this.binding = parts.binding;
    this.errors = parts.errors;
    this.bulkLoad = bulkLoad;
  }
}
