import { RedisScript } from '@loopwork/internal/redis-script'

// Versions are INCR counters read as strings; a missing one reads as '' on both sides of a check.

/**
 * One round trip for a lookup: the stored value, its remaining TTL, whether someone holds the load
 * lock, and the versions a later write-back must find unchanged.
 * KEYS: value, lock, version, epoch, tag versions... → [value|nil, pttl, locked, version, epoch, tag versions...]
 */
export const readScript = new RedisScript(`
local reply = {
  redis.call('GET', KEYS[1]) or false,
  redis.call('PTTL', KEYS[1]),
  redis.call('EXISTS', KEYS[2]),
  redis.call('GET', KEYS[3]) or '',
  redis.call('GET', KEYS[4]) or ''
}
for index = 5, #KEYS do
  reply[#reply + 1] = redis.call('GET', KEYS[index]) or ''
end
return reply
`)

/**
 * Writes a loaded value back only if no invalidation happened since the load began (key version,
 * namespace epoch and every tag version unchanged), adds it to its tag sets, and releases the load
 * lock if this load holds it.
 * KEYS: value, version, epoch, lock, tag versions (n), tag sets (n)
 * ARGV: payload, ttl ms, lock token or '', version, epoch, n, tag versions (n) → 1 written, 0 discarded
 */
export const writeBackScript = new RedisScript(`
local tagCount = tonumber(ARGV[6])
if ARGV[3] ~= '' and redis.call('GET', KEYS[4]) == ARGV[3] then
  redis.call('DEL', KEYS[4])
end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[4] then return 0 end
if (redis.call('GET', KEYS[3]) or '') ~= ARGV[5] then return 0 end
for index = 1, tagCount do
  if (redis.call('GET', KEYS[4 + index]) or '') ~= ARGV[6 + index] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for index = 1, tagCount do
  local members = KEYS[4 + tagCount + index]
  redis.call('SADD', members, KEYS[1])
  if redis.call('PTTL', members) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', members, ARGV[2])
  end
end
return 1
`)

/**
 * An explicit set: stores the value and bumps the key's version, so a load that began before cannot
 * overwrite it.
 * KEYS: value, version, tag sets... ARGV: payload, ttl ms, version retention ms
 */
export const setScript = new RedisScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
for index = 3, #KEYS do
  redis.call('SADD', KEYS[index], KEYS[1])
  if redis.call('PTTL', KEYS[index]) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[index], ARGV[2])
  end
end
return 1
`)

/**
 * Invalidates one key: bumps its version (stopping running loads from writing back), then deletes it.
 * KEYS: value, version  ARGV: version retention ms → number of values deleted
 */
export const deleteScript = new RedisScript(`
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`)

/**
 * Invalidates a tag: bumps its version and moves its member set aside under a unique name, so
 * loads that finish meanwhile start a fresh set and are not lost when the old one is deleted.
 * KEYS: tag set, tag version, draining name  ARGV: version retention ms → 1 if there were members
 */
export const invalidateTagScript = new RedisScript(`
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return 1
`)

/** Releases the load lock if the token still holds it. KEYS: lock  ARGV: token */
export const releaseLockScript = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)
