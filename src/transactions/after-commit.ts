import type {
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';

/** Work that must happen only once a write is durable: cache invalidation, then events. */
export type AfterCommitEffect = () => void | Promise<void>;

/** A deferred effect, and what must happen instead when it is unknown whether COMMIT applied. */
interface Deferred {
  readonly effect: AfterCommitEffect;
  readonly inDoubt?: AfterCommitEffect;
}

const REGISTRIES = new WeakMap<DataSource, AfterCommit>();

/**
 * Defers effects to the commit of the transaction they were recorded in, and drops them when it
 * (or the savepoint they were recorded under) rolls back. Outside a transaction an effect runs at
 * once. One instance per DataSource, registered as a TypeORM subscriber so that it sees every
 * transaction on it: ours, `dataSource.transaction(...)` and hand-driven QueryRunners alike.
 *
 * Each open transaction keeps a stack of frames, one per nesting level (TypeORM nests with
 * savepoints): a savepoint's release merges its frame into the parent's, the outermost commit
 * runs them all, and a rollback discards the frame of the level it undoes.
 */
export class AfterCommit implements EntitySubscriberInterface {
  readonly #frames = new WeakMap<QueryRunner, Deferred[][]>();

  /** The registry of `dataSource`, created and subscribed on first use. */
  static for(dataSource: DataSource): AfterCommit {
    let registry = REGISTRIES.get(dataSource);
    if (!registry) {
      registry = new AfterCommit();
      REGISTRIES.set(dataSource, registry);
      dataSource.subscribers.push(registry);
    }
    return registry;
  }

  /**
   * Runs `effect` now, or at the commit of the transaction `runner` has open. `inDoubt` runs
   * instead when that COMMIT's answer is lost (see {@link commitInDoubt}): a cache invalidation
   * must still happen then, an event must not.
   */
  defer(
    runner: QueryRunner | undefined,
    effect: AfterCommitEffect,
    inDoubt?: AfterCommitEffect,
  ): void | Promise<void> {
    if (!runner?.isTransactionActive) return runSafely(effect);
    let frames = this.#frames.get(runner);
    if (!frames || frames.length === 0) {
      // The transaction began before this registry subscribed; its commit still reaches us.
      frames = [[]];
      this.#frames.set(runner, frames);
    }
    frames[frames.length - 1]!.push({ effect, inDoubt });
  }

  afterTransactionStart({ queryRunner }: TransactionStartEvent): void {
    const frames = this.#frames.get(queryRunner) ?? [];
    const depth = depthOf(queryRunner) ?? frames.length + 1;
    frames.length = Math.min(frames.length, depth - 1);
    while (frames.length < depth) frames.push([]);
    this.#frames.set(queryRunner, frames);
  }

  async afterTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const frames = this.#frames.get(queryRunner);
    const done = frames?.pop();
    if (!frames || !done) return;
    if (queryRunner.isTransactionActive && frames.length > 0) {
      frames[frames.length - 1]!.push(...done); // a savepoint was released
      return;
    }
    this.#frames.delete(queryRunner);
    for (const { effect } of done) await runSafely(effect);
  }

  /**
   * The transaction on `runner` ended without an answer to its COMMIT: it may have applied. The
   * `inDoubt` effects of every level run; the others are dropped.
   */
  async commitInDoubt(runner: QueryRunner): Promise<void> {
    const frames = this.#frames.get(runner) ?? [];
    this.#frames.delete(runner);
    for (const frame of frames) {
      for (const { inDoubt } of frame) if (inDoubt) await runSafely(inDoubt);
    }
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    const frames = this.#frames.get(queryRunner);
    frames?.pop();
    if (!queryRunner.isTransactionActive) this.#frames.delete(queryRunner);
  }
}

/**
 * The runner's nesting level once a transaction has started. TypeORM keeps it in a protected
 * field; reading it keeps the frames aligned even if an event was missed.
 */
function depthOf(runner: QueryRunner): number | undefined {
  const depth: unknown = Reflect.get(runner, 'transactionDepth');
  return typeof depth === 'number' && depth > 0 ? depth : undefined;
}

/**
 * An effect runs after the data is durable, so its failure must not fail the write (TypeORM would
 * report a committed transaction as failed); it becomes a process warning instead.
 */
async function runSafely(effect: AfterCommitEffect): Promise<void> {
  try {
    await effect();
  } catch (error) {
    process.emitWarning(`an after-commit effect failed: ${String(error)}`, 'AfterCommitWarning');
  }
}
