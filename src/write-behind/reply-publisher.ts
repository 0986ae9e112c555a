import type { ObjectLiteral } from 'typeorm';
import type { RepositoryContext } from '../repository/repository-context';
import type { DrainEntry, EntryResult } from './drain-entry';
import type { StreamRedis } from './stream-client';
import { encodeReply } from './stored-reply';

/**
 * Answers an `awaitStored` caller on its channel: its row (as RETURNING gave it, else read by
 * its id, also for a duplicate of a key applied before) or its error. Best effort: a caller that
 * misses it times out with "outcome unknown", which is true.
 */
export async function publishReply<T extends ObjectLiteral>(
  redis: StreamRedis,
  context: RepositoryContext<T>,
  entry: DrainEntry,
  result: EntryResult,
): Promise<void> {
  const { replyTo, idempotencyKey, tenant } = entry.payload;
  if (replyTo === undefined) return;
  let message: string;
  const { snapshots } = context;
  if (result.kind === 'failed') message = encodeReply(idempotencyKey, result, snapshots);
  else {
    const row =
      (result.kind === 'stored' ? result.record : undefined) ??
      (result.entityId == null
        ? undefined
        : await context.withTenant(tenant).loadRow(result.entityId, { withDeleted: true }));
    message = row
      ? encodeReply(idempotencyKey, { row }, snapshots)
      : encodeReply(
          idempotencyKey,
          {
            code: 'NOT_FOUND',
            message: `${context.model.name}: the stored row ${String(result.entityId)} is gone`,
          },
          snapshots,
        );
  }
  await redis.publish(replyTo, message);
}
