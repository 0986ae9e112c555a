/**
 * The Lua scripts of write-behind. Each touches the keys of one shard only (one hash tag), so it
 * runs on a Redis Cluster too. Scripts make a check and its write one step: no entry is added
 * past `maxPending`, and no entry is dead-lettered without being acknowledged.
 */

/**
 * Removes the entries every consumer group has acknowledged: those before the oldest entry still
 * pending in a group, or, in a group with none pending, up to its last delivered one. Nothing
 * is trimmed while the stream has no group (nothing is acknowledged yet).
 */
const TRIM_ACKNOWLEDGED = `
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function before(a_ms, a_seq, b_ms, b_seq)
  return a_ms < b_ms or (a_ms == b_ms and a_seq < b_seq)
end
local function trim(key)
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', key)
  if not ok or #groups == 0 then return 0 end
  local min_ms, min_seq
  for _, flat in ipairs(groups) do
    local g = {}
    for i = 1, #flat, 2 do g[flat[i]] = flat[i + 1] end
    local ms, seq
    if g['pending'] > 0 then
      ms, seq = parse(redis.call('XPENDING', key, g['name'])[2])
    else
      ms, seq = parse(g['last-delivered-id'])
      seq = seq + 1
    end
    if min_ms == nil or before(ms, seq, min_ms, min_seq) then min_ms, min_seq = ms, seq end
  end
  return redis.call('XTRIM', key, 'MINID', string.format('%.0f-%.0f', min_ms, min_seq))
end
`;

/**
 * KEYS[1] the stream; ARGV[1] maxPending, ARGV[2…] the entry's field/value pairs. Adds the entry
 * unless the stream holds maxPending entries after trimming what is acknowledged; returns its id,
 * or false when full.
 */
export const ENQUEUE = `${TRIM_ACKNOWLEDGED}
local max = tonumber(ARGV[1])
if redis.call('XLEN', KEYS[1]) >= max then
  trim(KEYS[1])
  if redis.call('XLEN', KEYS[1]) >= max then return false end
end
return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
`;

/** KEYS[1] the stream. Trims what every group has acknowledged; returns the entries removed. */
export const TRIM = `${TRIM_ACKNOWLEDGED}
return trim(KEYS[1])
`;

/** Prefix of the fields a dead-letter entry adds to the entry's own. */
export const DEAD_FIELD = 'x-';

/**
 * KEYS[1] the stream, KEYS[2] its dead-letter stream; ARGV[1] the group, ARGV[2] the entry id,
 * ARGV[3…] the dead-letter entry's field/value pairs. Adds it and acknowledges the entry in one
 * step: an entry is either pending or dead-lettered, never both, never neither.
 */
export const DEAD_LETTER = `
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
`;

/**
 * KEYS[1] the stream, KEYS[2] its dead-letter stream; ARGV the dead-letter ids to replay. Each is
 * added to the stream again with its own fields (its idempotency key with it) and removed from
 * the dead-letter stream in one step; returns how many were replayed.
 */
export const REPLAY = `
local n = 0
for _, id in ipairs(ARGV) do
  local found = redis.call('XRANGE', KEYS[2], id, id)
  if #found == 1 then
    local fields, out = found[1][2], {}
    for i = 1, #fields, 2 do
      if string.sub(fields[i], 1, ${DEAD_FIELD.length}) ~= '${DEAD_FIELD}' then
        out[#out + 1] = fields[i]
        out[#out + 1] = fields[i + 1]
      end
    end
    redis.call('XADD', KEYS[1], '*', unpack(out))
    redis.call('XDEL', KEYS[2], id)
    n = n + 1
  end
end
return n
`;
