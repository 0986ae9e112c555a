import type { ErrorCode } from '../errors';
import type { EntityId } from '../repository/repository-events';
import type { EntryPayload } from './stream-entry';

/** One entry read from a stream by a drainer. */
export interface DrainEntry {
  /** The stream it was read from. */
  readonly stream: string;
  /** Its stream id. */
  readonly id: string;
  readonly payload: EntryPayload;
  /** Its raw field/value list, kept for the dead-letter stream (and a replay). */
  readonly fields: readonly string[];
}

/** What became of an entry once its group's transaction committed. */
export type EntryResult =
  /** Written now; `record` where the dialect returned the stored row. */
  | { readonly kind: 'stored'; readonly entityId: EntityId | undefined; readonly record?: object }
  /** Its idempotency key was applied before (a redelivery, or a retried enqueue). */
  | { readonly kind: 'duplicate'; readonly entityId: string | null }
  /** Never storable as it is: it goes to the dead-letter stream. */
  | {
      readonly kind: 'failed';
      readonly code: ErrorCode | 'INVALID_ENTRY';
      readonly message: string;
      readonly error?: unknown;
    };
