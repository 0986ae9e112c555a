import type { Logger } from 'typeorm';

/** A TypeORM logger that records every statement, to prove how many queries a call ran. */
export class QueryCounter implements Logger {
  readonly queries: string[] = [];

  logQuery(query: string): void {
    this.queries.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  reset(): void {
    this.queries.length = 0;
  }

  get count(): number {
    return this.queries.length;
  }

  /** Statements run while `fn` ran. */
  async during(fn: () => Promise<unknown>): Promise<string[]> {
    const start = this.queries.length;
    await fn().catch(() => undefined);
    return this.queries.slice(start);
  }
}
