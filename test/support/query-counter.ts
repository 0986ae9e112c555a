import type { Logger } from 'typeorm';

/** A TypeORM logger that records every statement, to prove how many queries a call ran. */
export class QueryCounter implements Logger {
  readonly queries: string[] = [];
  /** The bound values of each statement in {@link queries}, at the same index. */
  readonly parameters: (unknown[] | undefined)[] = [];

  logQuery(query: string, parameters?: unknown[]): void {
    this.queries.push(query);
    this.parameters.push(parameters);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  reset(): void {
    this.queries.length = 0;
    this.parameters.length = 0;
  }

  get count(): number {
    return this.queries.length;
  }

  /** Statements run while `fn` ran; an error of `fn`'s is rethrown (catch it in `fn` to count a failing call). */
  async during(fn: () => Promise<unknown>): Promise<string[]> {
    const start = this.queries.length;
    await fn();
    return this.queries.slice(start);
  }
}
