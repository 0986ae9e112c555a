import type {
  EntityId,
  RepositoryEventMap,
  RepositoryEventName,
  RepositoryEvents,
} from './repository-events';

/** An event a write will fire once it is committed. */
export type PendingEvent<T> = {
  [E in RepositoryEventName]: readonly [E, RepositoryEventMap<T>[E]];
}[RepositoryEventName];

/**
 * What a write changed, reported once per call by every write path (single-row, bulk, locking),
 * so that cache invalidation and events are decided in one place and happen at commit.
 */
export interface WriteChange<T> {
  /**
   * The primary keys of the rows written, or `undefined` when they are not known (a COPY load, a
   * bulk update without RETURNING): every cached row of the entity is then invalidated.
   */
  readonly ids: readonly EntityId[] | undefined;
  /** The events to fire, in order, after the cache has been invalidated. */
  readonly events: readonly PendingEvent<T>[];
}

export function emitPending<T>(events: RepositoryEvents<T>, pending: PendingEvent<T>): void {
  const [name, payload] = pending;
  (events.emit as (event: RepositoryEventName, payload: unknown) => void).call(
    events,
    name,
    payload,
  );
}
