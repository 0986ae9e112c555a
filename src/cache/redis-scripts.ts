import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client';

/**
 * The Lua scripts of {@link RedisCacheStore} (reads are a plain MGET). Each runs atomically on the
 * server, which is what makes "fill only if no write happened since the read" a single step.
 * Every key a script touches is passed in KEYS and shares the namespace's hash tag, so they also
 * run on Redis Cluster.
 *
 * Generations start from a time-based value rather than 0, so a generation key lost to eviction
 * comes back as a value no surviving entry was stored under.
 */

/** KEYS: query gen, row gen. ARGV: initial generation. Starts missing generations → {query, row} */
export const INIT_GENERATIONS_SCRIPT = `
for i = 1, 2 do
  if not redis.call('GET', KEYS[i]) then redis.call('SET', KEYS[i], ARGV[1]) end
end
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}
`;

/** KEYS: query gen, entry. ARGV: leased query gen, stored value, ttl in ms. → 1 if stored */
export const FILL_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** KEYS: query gen, row gen, row entries…. ARGV: '1' to bump the row gen, initial generation. */
export const INVALIDATE_SCRIPT = `
local function bump(key)
  if redis.call('EXISTS', key) == 0 then redis.call('SET', key, ARGV[2]) end
  return redis.call('INCR', key)
end
bump(KEYS[1])
if ARGV[1] == '1' then bump(KEYS[2]) end
if #KEYS > 2 then redis.call('UNLINK', unpack(KEYS, 3)) end
return 1
`;

/** A starting generation that no earlier generation of the same key can equal. */
export function initialGeneration(): string {
  return String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
}

/** A Lua script run by its SHA1 (EVALSHA), sent whole only when the server does not have it. */
export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(
    redis: Pick<RedisClient, 'eval' | 'evalsha'>,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
