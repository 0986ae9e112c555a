import { randomUUID } from 'node:crypto';
import type { ObjectLiteral } from 'typeorm';
import { resolveSettings } from '../bulk/bulk-create-settings';
import { RedisScript } from '../cache/redis-scripts';
import { booleanFlag, oneOf } from '../config/option-checks';
import { ConfigurationError, OptionError, WriteBehindError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import { backoffDelay, pause } from '../transactions/backoff';
import { entryFields, type EntryOperation } from './stream-entry';
import { StreamKeys } from './stream-keys';
import { ENQUEUE } from './stream-scripts';
import { ReplyWaiters } from './reply-waiters';
import { replyError, storedRow } from './stored-reply';
import type { WhenFull, WriteBehindSettings } from './write-behind-config';

/** Options of one `enqueueCreate` / `enqueueUpsert` call. */
export interface EnqueueOptions {
  /**
   * Names the write: the drainer stores one row per key, however often the entry is delivered or
   * enqueued again. Pass your own to make a retried call safe. At most 150 characters.
   * @default a random UUID
   */
  readonly idempotencyKey?: string;
  /**
   * Written on its own by the single-row path, never in a batch (the seed's `forceDrainToDB`).
   * @default false
   */
  readonly forceIndividual?: boolean;
  /** Stamp the row with this tenant, as `bulkCreate`'s `tenantId`. @default the resolver's */
  readonly tenantId?: string;
  /** Overrides the repository's `writeBehind.whenFull` for this call. */
  readonly whenFull?: WhenFull;
  /**
   * Resolve with the stored entity (its real id) once a drainer has written it, or reject with
   * the entry's own typed error; after `writeBehind.awaitStoredTimeoutMs` with
   * `WRITE_BEHIND_OUTCOME_UNKNOWN`.
   * @default false (resolve once Redis has the entry)
   * Cost: the caller waits for a drainer; the entry carries a reply channel.
   */
  readonly awaitStored?: boolean;
}

/** What an enqueue call resolves to: the receipt, or with `awaitStored: true` the stored row. */
export type Enqueued<T, O> = O extends { readonly awaitStored: true } ? T : EnqueueReceipt;

/** What Redis acknowledged: the entry's stream id and its idempotency key. */
export interface EnqueueReceipt {
  readonly entryId: string;
  readonly idempotencyKey: string;
}

const ENQUEUE_SCRIPT = new RedisScript(ENQUEUE);
const MAX_KEY_LENGTH = 150;
const WHEN_FULL: readonly WhenFull[] = ['reject', 'wait'];
/** A full stream is tried again after 5 ms, doubling up to 200 ms, half of it jittered. */
const FULL_BACKOFF = { retryDelayMs: 5, backoffMultiplier: 2, maxRetryDelayMs: 200, jitter: 0.5 };

/**
 * The producer side of one repository's write-behind: validates and stamps an entry as `create`
 * would, then appends it to the entity's stream with one script (checking `maxPending` and
 * adding are one step on the server).
 */
export class WriteBehindProducer<T extends ObjectLiteral> {
  readonly keys: StreamKeys;
  readonly #upsert: EntryOperation;
  #replies?: ReplyWaiters;

  constructor(
    readonly context: RepositoryContext<T>,
    readonly settings: WriteBehindSettings,
  ) {
    const { model } = context;
    this.keys = new StreamKeys(settings.keyPrefix, model.name, settings.shards);
    // The bulk path's own check: the target must be the primary key or a unique constraint.
    const conflictTarget = (settings.conflictTarget ?? [model.primary.property]) as never[];
    resolveSettings(context, { onConflict: 'update', conflictTarget }, undefined);
    this.#upsert = {
      kind: 'upsert',
      conflictTarget: settings.conflictTarget ?? [model.primary.property],
    };
  }

  create(dto: unknown, options: EnqueueOptions): Promise<EnqueueReceipt | T> {
    return this.#enqueue({ kind: 'create' }, dto, options);
  }

  upsert(dto: unknown, options: EnqueueOptions): Promise<EnqueueReceipt | T> {
    return this.#enqueue(this.#upsert, dto, options);
  }

  async #enqueue(
    operation: EntryOperation,
    dto: unknown,
    options: EnqueueOptions,
  ): Promise<EnqueueReceipt | T> {
    const { context } = this;
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    if (
      typeof idempotencyKey !== 'string' ||
      idempotencyKey === '' ||
      idempotencyKey.length > MAX_KEY_LENGTH
    ) {
      throw OptionError.invalid(
        'idempotencyKey',
        `a string of 1 to ${MAX_KEY_LENGTH} characters`,
        idempotencyKey,
      );
    }
    const forceIndividual = booleanFlag('forceIndividual', options.forceIndividual ?? false);
    const whenFull = oneOf('whenFull', options.whenFull ?? this.settings.whenFull, WHEN_FULL);
    if (options.tenantId !== undefined && !context.tenant.column) {
      throw new ConfigurationError(
        `${context.model.name}: tenantId given but the repository is not tenant-scoped`,
      );
    }
    // The tenant of the call, resolved now: the drainer runs with no request context.
    const tenant = context.tenant.forWrite(options.tenantId, false);
    const values = { ...(await context.validated('create', dto)) };
    context.tenant.stamp(values, tenant);
    const stream = this.keys.streamFor(idempotencyKey);
    const entry = { idempotencyKey, operation, values, tenant, forceIndividual };
    if (!booleanFlag('awaitStored', options.awaitStored ?? false)) {
      const entryId = await this.#append(stream, entryFields(entry), whenFull);
      return { entryId, idempotencyKey };
    }
    const { redis, keyPrefix, awaitStoredTimeoutMs } = this.settings;
    this.#replies ??= new ReplyWaiters(redis, keyPrefix, awaitStoredTimeoutMs);
    // Subscribed before the entry exists: the drainer's answer cannot come too early.
    const wait = await this.#replies.wait(idempotencyKey, stream);
    let entryId: string;
    try {
      entryId = await this.#append(
        stream,
        entryFields({ ...entry, replyTo: this.#replies.channel }),
        whenFull,
      );
    } catch (error) {
      wait.cancel();
      throw error;
    }
    const reply = await wait.reply(entryId);
    if ('row' in reply) return storedRow<T>(reply, context.snapshots);
    throw replyError(context.model.name, reply);
  }

  /** XADD through the script, retried with a backoff while the stream is full and asked to wait. */
  async #append(stream: string, fields: readonly string[], whenFull: WhenFull): Promise<string> {
    const { redis, maxPending, fullWaitMs } = this.settings;
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      let id: unknown;
      try {
        id = await ENQUEUE_SCRIPT.run(redis, [stream], [maxPending, ...fields]);
      } catch (error) {
        throw WriteBehindError.enqueueUnknown(stream, error);
      }
      if (typeof id === 'string') return id;
      const waited = performance.now() - started;
      const delay = backoffDelay(attempt, FULL_BACKOFF);
      if (whenFull === 'reject' || waited + delay > fullWaitMs) {
        throw WriteBehindError.full(stream, maxPending, whenFull === 'wait' ? waited : 0);
      }
      await pause(delay);
    }
  }
}
