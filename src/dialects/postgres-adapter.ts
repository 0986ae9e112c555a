import { DialectAdapter, type DialectOverrides } from './dialect-adapter';
import { dialectCapabilities, EVERY_STATEMENT } from './dialect-capabilities';
import { PostgresBinding } from './postgres-binding';
import { PostgresBulkLoad } from './postgres-bulk-load';
import { PostgresErrors } from './postgres-errors';
import { PostgresSyntax } from './postgres-syntax';

/** PostgreSQL's limits: RETURNING everywhere, and 65,535 parameters (the wire protocol's Int16). */
export const POSTGRES_CAPABILITIES = dialectCapabilities({
  maxBindParameters: 65_535,
  returning: EVERY_STATEMENT,
});

/**
 * PostgreSQL through node-postgres (TypeORM's `type: 'postgres'`), and the base of a dialect for
 * a server that speaks its protocol and SQL: subclass it and pass the parts that differ.
 *
 * @example
 * class CockroachAdapter extends PostgresAdapter {
 *   constructor() {
 *     super({ name: 'cockroachdb', syntax: new CockroachSyntax() });
 *   }
 * }
 */
export class PostgresAdapter extends DialectAdapter {
  constructor(overrides: DialectOverrides = {}) {
    super(overrides.name ?? 'postgres', {
      capabilities: overrides.capabilities ?? POSTGRES_CAPABILITIES,
      syntax: overrides.syntax ?? new PostgresSyntax(),
      binding: overrides.binding ?? new PostgresBinding(),
      errors: overrides.errors ?? new PostgresErrors(),
      bulkLoad: overrides.bulkLoad ?? new PostgresBulkLoad(),
    });
  }
}
