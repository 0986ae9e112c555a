import { RedisScript } from '../cache/redis-scripts';
import type { StreamRedis } from './stream-client';
import { parseEntry } from './stream-entry';
import type { StreamKeys } from './stream-keys';
import { DEAD_FIELD, REPLAY } from './stream-scripts';
import type { RawEntry } from './group-stream';

const REPLAY_SCRIPT = new RedisScript(REPLAY);

/** An entry that can never be stored as it is, as its dead-letter stream holds it. */
export interface DeadLetter {
  /** Its id in the dead-letter stream, to replay it by. */
  readonly id: string;
  /** The dead-letter stream holding it. */
  readonly deadLetterStream: string;
  /** Its id in the entity's stream when it was enqueued. */
  readonly entryId: string;
  readonly idempotencyKey: string;
  /** The error's stable code (`UNIQUE_VIOLATION`, `NOT_NULL_VIOLATION`, `VALIDATION_FAILED`, …). */
  readonly code: string;
  readonly message: string;
  /** Times it was delivered before it was dead-lettered. */
  readonly attempts: number;
  readonly deadLetteredAt: Date;
  /** The validated values it carried, or `undefined` when they could not be read. */
  readonly values: Record<string, unknown> | undefined;
}

/** Up to `count` dead letters of each of the entity's shards, oldest first. */
export async function listDeadLetters(
  redis: StreamRedis,
  keys: StreamKeys,
  count: number,
): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (const stream of keys.deadLetters) {
    const raw = (await redis.call('XRANGE', stream, '-', '+', 'COUNT', count)) as RawEntry[];
    for (const [id, fields] of raw) {
      const map = new Map<string, string>();
      for (let i = 0; fields && i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
      const parsed = parseEntry(fields ?? []);
      out.push({
        id,
        deadLetterStream: stream,
        entryId: map.get(`${DEAD_FIELD}id`) ?? '',
        idempotencyKey: map.get('k') ?? '',
        code: map.get(`${DEAD_FIELD}code`) ?? '',
        message: map.get(`${DEAD_FIELD}message`) ?? '',
        attempts: Number(map.get(`${DEAD_FIELD}attempts`) ?? 0),
        deadLetteredAt: new Date(Number(map.get(`${DEAD_FIELD}at`) ?? 0)),
        values: 'invalid' in parsed ? undefined : parsed.values,
      });
    }
  }
  return out;
}

/**
 * Sends dead letters back to their entity's stream with their own idempotency keys (so a replay
 * never stores a row twice) and removes them from the dead-letter stream; all of them when `ids`
 * is not given. Resolves to how many were replayed. A replay is not held to `maxPending`.
 */
export async function replayDeadLetters(
  redis: StreamRedis,
  keys: StreamKeys,
  ids?: readonly string[],
): Promise<number> {
  let replayed = 0;
  for (let n = 0; n < keys.shards; n++) {
    const dead = keys.deadLetters[n]!;
    const chosen =
      ids ?? ((await redis.call('XRANGE', dead, '-', '+')) as RawEntry[]).map(([id]) => id);
    if (chosen.length === 0) continue;
    replayed += Number(await REPLAY_SCRIPT.run(redis, [keys.streams[n]!, dead], chosen));
  }
  return replayed;
}
