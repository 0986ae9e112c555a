import { randomUUID } from 'node:crypto';
import type { TierSubscription } from '../cache/cache-tiers';
import type { RedisClient } from '../cache/redis-client';
import { subscribeRedis } from '../cache/redis-subscription';
import { WriteBehindError } from '../errors';
import { decodeReply, type StoredReply } from './stored-reply';

/** A subscription with no waiter left is closed after this long. */
const IDLE_CLOSE_MS = 100;

interface Waiter {
  settle(reply: StoredReply): void;
}

/** One caller's wait for its reply, registered before its entry is appended. */
export interface ReplyWait {
  /** Starts the timeout once the entry is in the stream; resolves with the drainer's reply. */
  reply(entryId: string): Promise<StoredReply>;
  /** Gives up the wait (the append failed). */
  cancel(): void;
}

/**
 * The `awaitStored` callers of one producer, answered on one pub/sub channel of their own: each
 * entry names it, and the drainer that writes the entry publishes the row or the error there.
 * The subscription (a second connection) opens with the first waiter and closes when idle.
 */
export class ReplyWaiters {
  readonly channel: string;
  readonly #waiters = new Map<string, Waiter[]>();
  #subscription?: { readonly handle: TierSubscription; readonly up: Promise<void> };
  #idle?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly timeoutMs: number,
  ) {
    this.channel = `${prefix}replies:${randomUUID()}`;
  }

  /** Subscribes (if not yet) and registers a waiter for `key`; rejects if Redis cannot be reached. */
  async wait(key: string, stream: string): Promise<ReplyWait> {
    clearTimeout(this.#idle);
    await this.#subscribed(stream);
    let settle!: (reply: StoredReply) => void;
    const answered = new Promise<StoredReply>((resolve) => (settle = resolve));
    const waiter: Waiter = { settle };
    const list = this.#waiters.get(key) ?? [];
    list.push(waiter);
    this.#waiters.set(key, list);
    const forget = () => this.#forget(key, waiter);
    return {
      cancel: forget,
      reply: (entryId) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(WriteBehindError.outcomeUnknown(stream, entryId, key, this.timeoutMs)),
            this.timeoutMs,
          );
        });
        return Promise.race([answered, timedOut]).finally(() => {
          clearTimeout(timer);
          forget();
        });
      },
    };
  }

  #forget(key: string, waiter: Waiter): void {
    const list = this.#waiters.get(key);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#waiters.delete(key);
    if (this.#waiters.size === 0) {
      this.#idle = setTimeout(() => void this.#close(), IDLE_CLOSE_MS);
      this.#idle.unref();
    }
  }

  #message(text: string): void {
    const reply = decodeReply(text);
    const list = reply && this.#waiters.get(reply.key);
    // Every caller waiting on the key gets the reply: a retried call shares its first's outcome.
    if (list) for (const waiter of [...list]) waiter.settle(reply);
  }

  #subscribed(stream: string): Promise<void> {
    if (!this.#subscription) {
      let up!: () => void;
      const ready = new Promise<void>((resolve) => (up = resolve));
      const handle = subscribeRedis(this.redis, this.channel, {
        message: (text) => this.#message(text),
        up,
        down: () => undefined,
      });
      this.#subscription = { handle, up: ready };
    }
    const { up } = this.#subscription;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(WriteBehindError.notSubscribed(stream, this.timeoutMs)),
        this.timeoutMs,
      );
    });
    return Promise.race([up, failed]).finally(() => clearTimeout(timer));
  }

  async #close(): Promise<void> {
    const subscription = this.#subscription;
    if (!subscription || this.#waiters.size > 0) return;
    this.#subscription = undefined;
    await subscription.handle.close();
  }
}
