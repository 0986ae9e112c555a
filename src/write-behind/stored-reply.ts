import { decodeValue, encodeValue } from '../cache/cache-codec';
import type { RowSnapshot, RowSnapshots } from '../cache/row-snapshot';
import {
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  InvalidDataError,
  NotFoundError,
  ValidationError,
  type ConstraintViolationCode,
  type FieldError,
  type RepositoryError,
} from '../errors';

/** What a drainer publishes to an `awaitStored` caller: its stored row, or its error. */
export type StoredReply =
  | { readonly key: string; readonly row: RowSnapshot }
  | {
      readonly key: string;
      readonly code: string;
      readonly message: string;
      readonly fields?: readonly FieldError[];
    };

export function encodeReply(
  key: string,
  outcome:
    | { readonly row: object }
    | { readonly code: string; readonly message: string; readonly error?: unknown },
  snapshots: RowSnapshots,
): string {
  if ('row' in outcome) return encodeValue({ key, row: snapshots.snapshotOf(outcome.row) });
  const { code, message, error } = outcome;
  const fields = error instanceof ValidationError ? error.fields : undefined;
  return encodeValue({ key, code, message, ...(fields ? { fields } : {}) });
}

export function decodeReply(text: string): StoredReply | undefined {
  try {
    const reply = decodeValue(text) as StoredReply;
    return typeof reply?.key === 'string' ? reply : undefined;
  } catch {
    return undefined;
  }
}

/** The stored row as an entity of the caller's class. */
export function storedRow<T>(reply: { readonly row: RowSnapshot }, snapshots: RowSnapshots): T {
  return snapshots.materialize<T>(reply.row);
}

const CONSTRAINTS: ReadonlySet<string> = new Set<ConstraintViolationCode>([
  'NOT_NULL_VIOLATION',
  'FOREIGN_KEY_VIOLATION',
  'CHECK_VIOLATION',
]);

/** The entry's own typed error, rebuilt from its code as the drainer's write raised it. */
export function replyError(
  entity: string,
  reply: {
    readonly code: string;
    readonly message: string;
    readonly fields?: readonly FieldError[];
  },
): RepositoryError {
  const { code, message } = reply;
  if (code === 'UNIQUE_VIOLATION') return new ConflictError(message);
  if (CONSTRAINTS.has(code))
    return new ConstraintViolationError(code as ConstraintViolationCode, message);
  if (code === 'INVALID_DATA') return new InvalidDataError(message);
  if (code === 'NOT_FOUND') return new NotFoundError(entity, message);
  if (code === 'VALIDATION_FAILED') {
    return new ValidationError(
      entity,
      reply.fields ?? [{ field: '$entry', constraints: { stored: message } }],
    );
  }
  return new DatabaseError(message, code);
}
