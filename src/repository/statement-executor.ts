import type { EntityManager, QueryRunner } from 'typeorm';
import { managerDataSource } from '../compat/typeorm-versions';

export interface StatementResult {
  /** Rows the statement returned (SELECT, or RETURNING). */
  readonly rows: Record<string, unknown>[];
  /** Rows the statement changed; for RETURNING statements, the rows returned. */
  readonly affected: number;
  /** The driver's own result (MySQL's ResultSetHeader carries `insertId`). */
  readonly raw: unknown;
}

/**
 * Runs `work` on the manager's connection: the open transaction's when the manager is bound to
 * one, else a pooled connection released afterwards.
 */
export async function withQueryRunner<R>(
  manager: EntityManager,
  work: (runner: QueryRunner) => Promise<R>,
): Promise<R> {
  const bound = manager.queryRunner;
  const runner = bound ?? managerDataSource(manager).createQueryRunner();
  try {
    return await work(runner);
  } finally {
    if (!bound) await runner.release();
  }
}

/**
 * Runs one SQL statement with positional parameters through TypeORM's QueryRunner, so loggers
 * and subscribers see it.
 */
export function executeStatement(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<StatementResult> {
  return withQueryRunner(manager, async (runner) => {
    const result = await runner.query(sql, params as unknown[], true);
    const rows = Array.isArray(result.records) ? (result.records as Record<string, unknown>[]) : [];
    return { rows, affected: result.affected ?? rows.length, raw: result.raw };
  });
}
