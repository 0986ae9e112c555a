import type { EntityManager } from 'typeorm';

export interface StatementResult {
  /** Rows the statement returned (SELECT, or RETURNING). */
  readonly rows: Record<string, unknown>[];
  /** Rows the statement changed; for RETURNING statements, the rows returned. */
  readonly affected: number;
  /** The driver's own result (MySQL's ResultSetHeader carries `insertId`). */
  readonly raw: unknown;
}

/**
 * Runs one SQL statement with positional parameters on the manager's connection: the open
 * transaction's when the manager is bound to one, else a pooled connection released afterwards.
 * Goes through TypeORM's QueryRunner, so loggers and subscribers see it.
 */
export async function executeStatement(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<StatementResult> {
  const bound = manager.queryRunner;
  const runner = bound ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params as unknown[], true);
    const rows = Array.isArray(result.records) ? (result.records as Record<string, unknown>[]) : [];
    return { rows, affected: result.affected ?? rows.length, raw: result.raw };
  } finally {
    if (!bound) await runner.release();
  }
}
