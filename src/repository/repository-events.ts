import { EventEmitter } from 'node:events';

import type { EntityId } from '../model/entity-model';

export type { EntityId };

export interface EntityEvent<T> {
  readonly entity: string;
  readonly id: EntityId;
  readonly record: T;
  readonly tenantId?: string;
}

export interface DeletedEvent {
  readonly entity: string;
  readonly id: EntityId;
  readonly soft: boolean;
  readonly tenantId?: string;
}

/** One event for a whole bulk call. */
export interface BulkEvent {
  readonly entity: string;
  /** The affected rows' ids, when the dialect reports them cheaply. */
  readonly ids?: readonly EntityId[];
  readonly count: number;
  readonly tenantId?: string;
}

export interface BulkDeletedEvent extends BulkEvent {
  readonly soft: boolean;
}

/** Event name → payload. */
export interface RepositoryEventMap<T> {
  created: EntityEvent<T>;
  updated: EntityEvent<T>;
  deleted: DeletedEvent;
  restored: EntityEvent<T>;
  bulkCreated: BulkEvent;
  bulkUpdated: BulkEvent;
  bulkDeleted: BulkDeletedEvent;
}

export type RepositoryEventName = keyof RepositoryEventMap<unknown>;

/**
 * A typed emitter for a repository's write events, fired after the write has succeeded.
 * A listener that throws does not fail the write (it already happened): the error is reported as
 * a process warning instead.
 */
export class RepositoryEvents<T> {
  readonly #emitter = new EventEmitter();

  /** @param enabled when false, `emit` is a no-op and costs nothing. */
  constructor(readonly enabled: boolean) {}

  on<E extends RepositoryEventName>(
    event: E,
    listener: (payload: RepositoryEventMap<T>[E]) => void,
  ): this {
    this.#emitter.on(event, listener);
    return this;
  }

  once<E extends RepositoryEventName>(
    event: E,
    listener: (payload: RepositoryEventMap<T>[E]) => void,
  ): this {
    this.#emitter.once(event, listener);
    return this;
  }

  off<E extends RepositoryEventName>(
    event: E,
    listener: (payload: RepositoryEventMap<T>[E]) => void,
  ): this {
    this.#emitter.off(event, listener);
    return this;
  }

  /** Whether emitting `event` would reach anyone; work done only for an event can be skipped. */
  hasListeners(event: RepositoryEventName): boolean {
    return this.enabled && this.#emitter.listenerCount(event) > 0;
  }

  emit<E extends RepositoryEventName>(event: E, payload: RepositoryEventMap<T>[E]): void {
    if (!this.enabled) return;
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (p: RepositoryEventMap<T>[E]) => void)(payload);
      } catch (error) {
        process.emitWarning(
          `a "${event}" listener threw: ${String(error)}`,
          'RepositoryEventWarning',
        );
      }
    }
  }
}
