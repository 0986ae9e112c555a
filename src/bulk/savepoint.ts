import type { ObjectLiteral } from 'typeorm';
import type { RepositoryContext } from '../repository/repository-context';

let sequence = 0;

/**
 * Runs `attempt` under a savepoint of the caller's open transaction, so that a statement the
 * database refuses rolls back to it instead of aborting the whole transaction (PostgreSQL), and
 * the bulk call can go on isolating the bad row.
 */
export async function underSavepoint<T extends ObjectLiteral, R>(
  context: RepositoryContext<T>,
  attempt: () => Promise<R>,
): Promise<R> {
  const name = `tbr_bulk_${++sequence}`;
  const { adapter } = context;
  await context.execute({ sql: adapter.syntax.savepoint(name), params: [] });
  try {
    const result = await attempt();
    await context.execute({ sql: adapter.syntax.releaseSavepoint(name), params: [] });
    return result;
  } catch (error) {
    await context.execute({ sql: adapter.syntax.rollbackToSavepoint(name), params: [] });
    throw error;
  }
}
