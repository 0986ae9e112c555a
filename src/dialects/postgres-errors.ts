import { driverCodeOf, ErrorConverter, type DatabaseErrorKind } from './driver-errors';

// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
const KINDS: Readonly<Record<string, DatabaseErrorKind>> = Object.freeze({
  '23505': 'unique',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23514': 'check',
  '40P01': 'deadlock',
  '40001': 'serialization',
  '55P03': 'lock-timeout',
  '57P01': 'connection-lost', // admin_shutdown (also pg_terminate_backend)
  '57P02': 'connection-lost', // crash_shutdown
  '08000': 'connection-lost',
  '08003': 'connection-lost',
  '08006': 'connection-lost',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  ECONNREFUSED: 'connection-refused',
  // Refused while connecting, before any statement was sent.
  '57P03': 'connection-refused', // cannot_connect_now: starting up or recovering
  '53300': 'connection-refused', // too_many_connections
  '08001': 'connection-refused', // sqlclient_unable_to_establish_sqlconnection
  '08004': 'connection-refused', // sqlserver_rejected_establishment_of_sqlconnection
});

/** node-postgres errors by their SQLSTATE (`code`), and the socket errors it reports by text. */
export class PostgresErrors extends ErrorConverter {
  classify(error: unknown): DatabaseErrorKind | undefined {
    const code = driverCodeOf(error);
    if (typeof code === 'string' && code in KINDS) return KINDS[code];
    // Class 22, data exception: too long, out of range, invalid text representation, …
    if (typeof code === 'string' && code.startsWith('22')) return 'invalid-data';
    // node-postgres reports a dropped socket, and any query on a client after that, without a
    // code: "Connection terminated unexpectedly", "Client has encountered a connection error and
    // is not queryable". Read the message as a property: errors can cross realms (Jest).
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && /Connection terminated|is not queryable/i.test(message)) {
      return 'connection-lost';
    }
    return undefined;
  }
}
