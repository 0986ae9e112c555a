import { AsyncLocalStorage } from 'node:async_hooks';
import type { QueryRunner } from 'typeorm';
import type { IsolationLevel } from './transaction-options';

/** The claims the calling code runs inside, innermost first. */
interface ClaimChain {
  readonly claim: RunnerClaim;
  readonly outer: ClaimChain | undefined;
}

const CLAIMS = new WeakMap<QueryRunner, RunnerClaim>();
const INSIDE = new AsyncLocalStorage<ClaimChain>();

/**
 * An outermost transaction's hold on its QueryRunner for one attempt.
 *
 * Where the driver gives each transaction its own connection (PostgreSQL, MySQL) a claim is never
 * contested. TypeORM's SQLite driver hands every caller the same QueryRunner, though: a second
 * transaction started on it while one is open would become a savepoint of the first and commit or
 * roll back with it. So a transaction waits for the open one to end, unless it runs inside that
 * transaction's callback (then it can only nest; waiting would never end).
 */
export class RunnerClaim {
  readonly #released: Promise<void>;
  #release!: () => void;

  private constructor(
    readonly runner: QueryRunner,
    /** The isolation level the transaction was started with, for nested calls to compare. */
    readonly isolationLevel: IsolationLevel | undefined,
  ) {
    this.#released = new Promise((resolve) => (this.#release = resolve));
  }

  /** The claim on `runner`, if an outermost transaction holds it. */
  static of(runner: QueryRunner): RunnerClaim | undefined {
    return CLAIMS.get(runner);
  }

  /** Waits until no other transaction holds `runner`, then holds it. */
  static async acquire(
    runner: QueryRunner,
    isolationLevel: IsolationLevel | undefined,
  ): Promise<RunnerClaim> {
    for (let held = CLAIMS.get(runner); held; held = CLAIMS.get(runner)) await held.#released;
    // No await between the check above and this: whoever wakes first takes the runner.
    const claim = new RunnerClaim(runner, isolationLevel);
    CLAIMS.set(runner, claim);
    return claim;
  }

  /** Whether the calling code runs inside this claim's transaction callback. */
  coversCaller(): boolean {
    for (let chain = INSIDE.getStore(); chain; chain = chain.outer) {
      if (chain.claim === this) return true;
    }
    return false;
  }

  /** Runs `callback` as code inside this claim's transaction (see {@link coversCaller}). */
  run<R>(callback: () => Promise<R>): Promise<R> {
    return INSIDE.run({ claim: this, outer: INSIDE.getStore() }, callback);
  }

  /** Lets the next waiting transaction have the runner. */
  release(): void {
    if (CLAIMS.get(this.runner) === this) CLAIMS.delete(this.runner);
    this.#release();
  }
}
