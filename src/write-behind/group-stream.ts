import { RedisScript } from '../cache/redis-scripts';
import type { StreamRedis } from './stream-client';
import { DEAD_FIELD, DEAD_LETTER, TRIM } from './stream-scripts';

const DEAD_LETTER_SCRIPT = new RedisScript(DEAD_LETTER);
const TRIM_SCRIPT = new RedisScript(TRIM);

/** An entry as Redis returns it: its id and field/value list (`null` once deleted). */
export type RawEntry = readonly [id: string, fields: readonly string[] | null];

/** What one read of a stream gave: the entries, and how many were delivered before. */
export interface StreamRead {
  readonly entries: readonly RawEntry[];
  readonly redelivered: number;
}

/** Why an entry went to the dead-letter stream. */
export interface DeadLetterReason {
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
}

/**
 * One stream as one consumer of its group sees it: its own pending entries first (a restart
 * resumes them), then those idle past `claimIdleMs` with another consumer (XAUTOCLAIM), then new
 * ones (XREADGROUP `>`).
 */
export class GroupStream {
  #ready = false;
  /** Whether this consumer may hold pending entries of its own: at start, and after a failure. */
  #ownDue = true;
  /** When idle entries of other consumers were last claimed. */
  #claimedAt = -Infinity;

  constructor(
    private readonly redis: StreamRedis,
    readonly stream: string,
    readonly deadLetters: string,
    private readonly group: string,
    private readonly consumer: string,
  ) {}

  /** Up to `count` entries; with `blockMs`, waits that long for new ones when there are none. */
  async read(count: number, claimIdleMs: number, blockMs?: number): Promise<StreamRead> {
    await this.#ensureGroup();
    try {
      const entries: RawEntry[] = [];
      if (this.#ownDue) {
        entries.push(...(await this.#readGroup(count, '0')));
        this.#ownDue = entries.length >= count;
      }
      // Another consumer's entry is claimable only after claimIdleMs: looking more often than
      // every half of it finds nothing new, and costs a round trip per round.
      const now = Date.now();
      if (entries.length < count && now - this.#claimedAt >= claimIdleMs / 2) {
        this.#claimedAt = now;
        const claimed = (await this.redis.call(
          'XAUTOCLAIM',
          this.stream,
          this.group,
          this.consumer,
          Math.floor(claimIdleMs),
          '0-0',
          'COUNT',
          count - entries.length,
        )) as [string, RawEntry[]];
        entries.push(...claimed[1]);
      }
      const redelivered = entries.length;
      if (entries.length < count) {
        entries.push(...(await this.#readGroup(count - entries.length, '>', blockMs)));
      }
      return { entries, redelivered };
    } catch (error) {
      // The group is gone (a Redis that lost its data): made again on the next read.
      if (String((error as Error).message).startsWith('NOGROUP')) this.#ready = false;
      this.#ownDue = true;
      throw error;
    }
  }

  /**
   * Entries read may still be pending with this consumer (their group failed, or the round
   * stopped): the next read starts with them.
   */
  resumeOwn(): void {
    this.#ownDue = true;
  }

  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.call('XACK', this.stream, this.group, ...ids);
  }

  /** Moves an entry to the dead-letter stream and acknowledges it, in one step. */
  async deadLetter(id: string, fields: readonly string[], reason: DeadLetterReason): Promise<void> {
    const dead = [
      ...fields,
      `${DEAD_FIELD}id`,
      id,
      `${DEAD_FIELD}code`,
      reason.code,
      `${DEAD_FIELD}message`,
      reason.message,
      `${DEAD_FIELD}attempts`,
      String(reason.attempts),
      `${DEAD_FIELD}at`,
      String(Date.now()),
    ];
    await DEAD_LETTER_SCRIPT.run(
      this.redis,
      [this.stream, this.deadLetters],
      [this.group, id, ...dead],
    );
  }

  /** Times each entry has been delivered (XPENDING), by id; 1 for one no longer pending. */
  async deliveries(ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const id of ids) {
      const rows = (await this.redis.call('XPENDING', this.stream, this.group, id, id, 1)) as [
        string,
        string,
        number,
        number,
      ][];
      counts.set(id, rows[0]?.[3] ?? 1);
    }
    return counts;
  }

  /** Trims what every group has acknowledged. */
  async trim(): Promise<void> {
    await TRIM_SCRIPT.run(this.redis, [this.stream], []);
  }

  async #readGroup(count: number, from: '0' | '>', blockMs?: number): Promise<RawEntry[]> {
    const block = blockMs !== undefined && blockMs > 0 ? ['BLOCK', Math.ceil(blockMs)] : [];
    const reply = (await this.redis.call(
      'XREADGROUP',
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      count,
      ...block,
      'STREAMS',
      this.stream,
      from,
    )) as [string, RawEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  async #ensureGroup(): Promise<void> {
    if (this.#ready) return;
    try {
      await this.redis.call('XGROUP', 'CREATE', this.stream, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
    this.#ready = true;
  }
}

/** A stream's backlog for one group, as Redis holds it. */
export interface StreamState {
  /** Entries not yet acknowledged: delivered and pending, or not yet delivered. */
  readonly pending: number;
  /** Age of the oldest of them in milliseconds, by its stream id; 0 when there is none. */
  readonly lagMs: number;
  /** Entries in the dead-letter stream. */
  readonly deadLetters: number;
}

/** The backlog of `stream` for `group` (a group not made yet: the whole stream is backlog). */
export async function streamState(
  redis: StreamRedis,
  stream: string,
  deadLetters: string,
  group: string,
): Promise<StreamState> {
  const dead = Number(await redis.call('XLEN', deadLetters));
  const groups = (await redis.call('XINFO', 'GROUPS', stream).catch(() => [])) as unknown[][];
  const info = groups.map(toMap).find((g) => g.get('name') === group);
  let oldest: string | undefined;
  let pending: number;
  if (!info) {
    pending = Number(await redis.call('XLEN', stream));
    oldest = ((await redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)) as RawEntry[])[0]?.[0];
  } else {
    const summary = (await redis.call('XPENDING', stream, group)) as [number, string | null];
    const delivered = Number(info.get('pending'));
    const last = String(info.get('last-delivered-id'));
    const next = (await redis.call('XRANGE', stream, `(${last}`, '+', 'COUNT', 1)) as RawEntry[];
    // `lag` is undefined after some deletions; counting what follows the last delivered is exact.
    const undelivered =
      info.get('lag') == null
        ? ((await redis.call('XRANGE', stream, `(${last}`, '+')) as RawEntry[]).length
        : Number(info.get('lag'));
    pending = delivered + undelivered;
    oldest = summary[1] ?? next[0]?.[0];
  }
  const lagMs = oldest ? Math.max(0, Date.now() - Number(oldest.split('-')[0])) : 0;
  return { pending, lagMs, deadLetters: dead };
}

function toMap(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
