import type { ObjectLiteral } from 'typeorm';
import { TransientDatabaseError, ConflictError, type RepositoryError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import { backoffDelay, pause } from '../transactions/backoff';
import { AppliedKeys } from './applied-keys';
import { listDeadLetters, replayDeadLetters, type DeadLetter } from './dead-letters';
import type { DrainEntry, EntryResult } from './drain-entry';
import { DrainerStats, type WriteBehindMetrics } from './drainer-metrics';
import { resolveDrainerOptions, type DrainerOptions } from './drainer-options';
import { planGroups, signatureOf } from './drain-plan';
import { GroupStream, streamState, type RawEntry, type StreamState } from './group-stream';
import { parseEntry } from './stream-entry';
import { publishReply } from './reply-publisher';
import { writeGroup } from './group-writer';
import { producerOf } from './write-behind-targets';

/** What one {@link WriteBehindDrainer.drainOnce} did. */
export interface DrainReport {
  /** Entries read (new, own pending, or taken over). */
  readonly read: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Entries left pending after their group failed (retried after a backoff). */
  readonly retrying: number;
}

interface Target {
  readonly entity: string;
  readonly context: RepositoryContext<ObjectLiteral>;
  readonly streams: readonly GroupStream[];
}

/** After a failed group, its stream is read again after 100 ms, doubling up to 5 s. */
const FAILURE_BACKOFF = {
  retryDelayMs: 100,
  backoffMultiplier: 2,
  maxRetryDelayMs: 5000,
  jitter: 0.5,
};

/**
 * Drains write-behind streams into the database. Drainers sharing a consumer group share the
 * entries; each group of compatible entries is written through `bulkCreate` in one transaction
 * with its idempotency keys, then acknowledged. See docs/write-behind.md.
 *
 * ```ts
 * const drainer = new WriteBehindDrainer({ redis, repositories: [users], consumer: 'drainer-1' });
 * drainer.start();
 * process.on('SIGTERM', () => void drainer.stop());
 * ```
 */
export class WriteBehindDrainer {
  readonly options: DrainerOptions;
  readonly #targets: readonly Target[];
  readonly #appliedKeys: AppliedKeys;
  readonly #stats = new DrainerStats();
  readonly #backoff = new Map<GroupStream, { failures: number; until: number }>();
  #running?: Promise<void>;
  #stopping = false;
  #lastPrune = 0;
  /** The last error of a round that failed as a whole (Redis unreachable), for metrics. */
  lastError: unknown;

  /** @throws OptionError naming the option, ConfigurationError for a repository without writeBehind */
  constructor(options: Partial<DrainerOptions> & Pick<DrainerOptions, 'redis' | 'repositories'>) {
    this.options = resolveDrainerOptions(options);
    const { redis, group, consumer } = this.options;
    this.#appliedKeys = new AppliedKeys(this.options.appliedKeysTable);
    this.#targets = this.options.repositories.map((repository) => {
      const producer = producerOf(repository);
      const { keys } = producer;
      const streams = keys.streams.map(
        (stream, n) => new GroupStream(redis, stream, keys.deadLetters[n]!, group, consumer),
      );
      return { entity: keys.entity, context: producer.context, streams };
    });
  }

  /** Drains in a loop until {@link stop}; an idle round waits up to `blockMs` for entries. */
  start(): void {
    if (this.#running) return;
    this.#stopping = false;
    this.#running = this.#loop();
  }

  /** Finishes the round in flight (its batches written and acknowledged) and stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
    this.#running = undefined;
  }

  /** One round over every stream without waiting for new entries. */
  drainOnce(): Promise<DrainReport> {
    return this.#round(undefined);
  }

  /** Counters of this drainer, and each entity's backlog as Redis holds it. */
  async metrics(): Promise<WriteBehindMetrics> {
    const entities: Record<string, StreamState> = {};
    for (const target of this.#targets) {
      let sum: StreamState = { pending: 0, lagMs: 0, deadLetters: 0 };
      for (const s of target.streams) {
        const state = await streamState(
          this.options.redis,
          s.stream,
          s.deadLetters,
          this.options.group,
        );
        sum = {
          pending: sum.pending + state.pending,
          lagMs: Math.max(sum.lagMs, state.lagMs),
          deadLetters: sum.deadLetters + state.deadLetters,
        };
      }
      entities[target.entity] = sum;
    }
    return this.#stats.snapshot(entities);
  }

  /** Up to `count` dead letters per shard of `repository`'s entity, oldest first. */
  deadLetters(repository: object, { count = 100 }: { count?: number } = {}): Promise<DeadLetter[]> {
    return listDeadLetters(this.options.redis, producerOf(repository).keys, count);
  }

  /**
   * Sends `repository`'s dead letters (those with these ids, or all) back to its stream with their
   * own idempotency keys, to be drained again once their cause is fixed.
   */
  replayDeadLetters(repository: object, ids?: readonly string[]): Promise<number> {
    return replayDeadLetters(this.options.redis, producerOf(repository).keys, ids);
  }

  /** Deletes applied keys older than `retentionMs` from each repository's database. */
  async pruneAppliedKeys(): Promise<number> {
    const before = Date.now() - this.options.retentionMs;
    const seen = new Set<unknown>();
    let removed = 0;
    for (const { context } of this.#targets) {
      if (seen.has(context.parts.dataSource)) continue;
      seen.add(context.parts.dataSource);
      removed += await this.#appliedKeys.prune(context, before);
    }
    this.#lastPrune = Date.now();
    return removed;
  }

  async #loop(): Promise<void> {
    let idle = false;
    let failures = 0;
    const streams = this.#targets.reduce((n, t) => n + t.streams.length, 0);
    while (!this.#stopping) {
      try {
        const block = idle ? Math.max(1, this.options.blockMs / streams) : undefined;
        const report = await this.#round(block);
        idle = report.read === 0;
        failures = 0;
        // Every stream in backoff: nothing blocked, so wait here for the first to be due.
        const due = this.#firstDue();
        if (due > Date.now()) await pause(Math.min(due - Date.now(), this.options.blockMs));
        const pruneEvery = Math.max(60_000, this.options.retentionMs / 10);
        if (Date.now() - this.#lastPrune > pruneEvery) await this.pruneAppliedKeys();
      } catch (error) {
        // Redis or the database unreachable for the whole round: wait, then try again.
        this.lastError = error;
        await pause(backoffDelay(++failures, FAILURE_BACKOFF));
      }
    }
  }

  /** When the next stream may be read: now, unless every stream is in backoff. */
  #firstDue(): number {
    let first = Infinity;
    for (const target of this.#targets) {
      for (const stream of target.streams) {
        first = Math.min(first, this.#backoff.get(stream)?.until ?? 0);
      }
    }
    return first;
  }

  async #round(blockMs: number | undefined): Promise<DrainReport> {
    const report = { read: 0, stored: 0, duplicates: 0, deadLettered: 0, retrying: 0 };
    for (const target of this.#targets) {
      for (const stream of target.streams) {
        if (this.#stopping && blockMs !== undefined) return report;
        const backoff = this.#backoff.get(stream);
        if (backoff && Date.now() < backoff.until) continue;
        try {
          await this.#drainStream(target, stream, blockMs, report);
        } catch (error) {
          stream.resumeOwn();
          throw error;
        }
      }
    }
    return report;
  }

  async #drainStream(
    target: Target,
    stream: GroupStream,
    blockMs: number | undefined,
    report: {
      read: number;
      stored: number;
      duplicates: number;
      deadLettered: number;
      retrying: number;
    },
  ): Promise<void> {
    const { batchSize, claimIdleMs, batching } = this.options;
    const { entries, redelivered } = await stream.read(batchSize, claimIdleMs, blockMs);
    if (entries.length === 0) return;
    report.read += entries.length;
    this.#stats.redeliveries += redelivered;
    const parsed: DrainEntry[] = [];
    const gone: string[] = [];
    for (const raw of entries) {
      const entry = this.#parse(target, stream, raw);
      if (entry === undefined) gone.push(raw[0]);
      else if ('invalid' in entry)
        await this.#deadLetter(stream, raw[0], raw[1] ?? [], entry.invalid, report);
      else parsed.push(entry);
    }
    await stream.ack(gone);
    const retryingBefore = report.retrying;
    for (const group of planGroups(parsed, batchSize, batching)) {
      this.#stats.signatures.observe(target.entity, signatureOf(group[0]!.payload.values));
      const started = performance.now();
      let results: EntryResult[];
      try {
        results = await writeGroup(target.context, group, this.#appliedKeys, Date.now);
      } catch (error) {
        this.#stats.failedBatches++;
        await this.#groupFailed(target, stream, group, error, report);
        continue;
      }
      const done: string[] = [];
      let stored = 0;
      const appliedMeanwhile = await this.#appliedSince(target, group, results);
      for (let i = 0; i < group.length; i++) {
        const entry = group[i]!;
        const result = appliedMeanwhile.has(entry.payload.idempotencyKey)
          ? ({ kind: 'duplicate', entityId: null } as const)
          : results[i]!;
        if (result.kind === 'failed') {
          await this.#deadLetter(stream, entry.id, entry.fields, result, report);
          await this.#reply(target, entry, result);
          continue;
        }
        done.push(entry.id);
        if (result.kind === 'stored') stored++;
        else {
          this.#stats.duplicates++;
          report.duplicates++;
        }
      }
      await stream.ack(done);
      for (let i = 0; i < group.length; i++) {
        const result = results[i]!;
        if (result.kind !== 'failed') await this.#reply(target, group[i]!, result);
      }
      report.stored += stored;
      this.#stats.batch(group.length, performance.now() - started, stored);
    }
    // Entries left pending are read again after a backoff; the stream's other work waits too.
    if (report.retrying > retryingBefore) {
      stream.resumeOwn();
      const previous = this.#backoff.get(stream)?.failures ?? 0;
      const delay = backoffDelay(previous + 1, FAILURE_BACKOFF);
      this.#backoff.set(stream, { failures: previous + 1, until: Date.now() + delay });
    } else this.#backoff.delete(stream);
    await stream.trim();
  }

  /**
   * The keys of failed entries that another drainer applied meanwhile: a slow drainer's entry
   * taken over by this one fails on its own row's unique key, yet it is stored, not dead.
   */
  async #appliedSince(
    target: Target,
    group: readonly DrainEntry[],
    results: readonly EntryResult[],
  ): Promise<ReadonlyMap<string, unknown>> {
    const failed = group.filter((_, i) => results[i]!.kind === 'failed');
    if (failed.length === 0) return new Map();
    const keys = failed.map((e) => e.payload.idempotencyKey);
    return this.#appliedKeys.find(target.context, keys);
  }

  /** An entry ready to write, `undefined` for one deleted from the stream, or why it is invalid. */
  #parse(
    target: Target,
    stream: GroupStream,
    [id, fields]: RawEntry,
  ): DrainEntry | undefined | { invalid: { code: 'VALIDATION_FAILED'; message: string } } {
    if (fields === null) return undefined;
    const payload = parseEntry(fields);
    if ('invalid' in payload) {
      return {
        invalid: { code: 'VALIDATION_FAILED', message: `unreadable entry: ${payload.invalid}` },
      };
    }
    try {
      // The entity may have changed since the entry was enqueued: its values must still fit.
      const values = target.context.checkColumns(payload.values);
      return { stream: stream.stream, id, fields, payload: { ...payload, values } };
    } catch (error) {
      const { code, message } = error as RepositoryError;
      return { invalid: { code: code as 'VALIDATION_FAILED', message } };
    }
  }

  /**
   * A group whose transaction failed stays pending. A transient error (the database away, a
   * deadlock) and a race on an applied key (another drainer wrote the same key: the retry finds
   * it) never count; any other error dead-letters the entries delivered `maxAttempts` times.
   */
  async #groupFailed(
    target: Target,
    stream: GroupStream,
    group: readonly DrainEntry[],
    error: unknown,
    report: { deadLettered: number; retrying: number },
  ): Promise<void> {
    if (error instanceof TransientDatabaseError || error instanceof ConflictError) {
      report.retrying += group.length;
      return;
    }
    const deliveries = await stream.deliveries(group.map((e) => e.id));
    const { code = 'DATABASE_ERROR', message = String(error) } = error as Partial<RepositoryError>;
    for (const entry of group) {
      const attempts = deliveries.get(entry.id) ?? 1;
      if (attempts >= this.options.maxAttempts) {
        await this.#deadLetter(stream, entry.id, entry.fields, { code, message }, report, attempts);
        await this.#reply(target, entry, {
          kind: 'failed',
          code: code as 'DATABASE_ERROR',
          message,
        });
      } else report.retrying++;
    }
  }

  /** Answers an `awaitStored` caller; a failure to answer never fails the drain. */
  async #reply(target: Target, entry: DrainEntry, result: EntryResult): Promise<void> {
    if (entry.payload.replyTo === undefined) return;
    try {
      await publishReply(this.options.redis, target.context, entry, result);
    } catch (error) {
      this.lastError = error;
    }
  }

  async #deadLetter(
    stream: GroupStream,
    id: string,
    fields: readonly string[],
    reason: { readonly code: string; readonly message: string },
    report: { deadLettered: number },
    attempts?: number,
  ): Promise<void> {
    const count = attempts ?? (await stream.deliveries([id])).get(id) ?? 1;
    await stream.deadLetter(id, fields, {
      code: reason.code,
      message: reason.message,
      attempts: count,
    });
    this.#stats.deadLetter(reason.code);
    report.deadLettered++;
  }
}
