import { RedisScript } from '@loopwork/internal/redis-script'

/**
 * The Lua side of the shared limit: one script per operation, each atomic, each reading the time
 * from Redis (`TIME`), so instances never compare their own clocks. Clients send durations only.
 *
 * KEYS[1] is the limit's config key, `<keyPrefix>{<name>}:config`; the other keys share its prefix
 * (and so its hash tag and Cluster slot) and are derived from it here, which keeps every call small.
 * ARGV of every script: the calling instance's id, leaseMs, minHoldMs, initialTokens, then the
 * operation's own.
 *
 * Every reply starts with { status, value, limit, borrowed, waiting } (each call refreshes the
 * instance's cluster-wide view; a limit of -1 means "not read") and ends with the hand-overs to the caller's own waiters:
 * id, grant number, ..., and their count as the last element.
 *
 * - config: totalTokens (the shared limit) and sequence (tickets and grant numbers).
 * - holders: lease id -> expiry. A lease is renewed only while unexpired (never brought back).
 * - queue: waiter id -> ticket, FIFO across instances; waiters: waiter id -> the deadline by which
 *   its instance must renew it. A waiter whose instance stopped renewing it is dropped before
 *   anyone is promoted, so a dead process cannot block the queue.
 * - tokens: the grant number of each hand-over, for a renewal call that finds a hand-over whose
 *   push was lost (a direct grant's number travels in the reply).
 * - promote() hands free tokens to the head of the queue inside the same script that freed them.
 *   A hand-over to another instance is pushed to that instance's list,
 *   "<waiter id> <grant number> <limit> <borrowed> <waiting>", where its blocking pop wakes it; one
 *   to the caller's own waiter comes back in the reply. A hand-over keeps the waiter's deadline (at
 *   least minHoldMs), so one made to a process that died comes back when that process would have
 *   had to renew.
 * - Scripts read TIME before writing, which Redis 5 and later replicate by effects (the default).
 * - The grant number starts at the server time in microseconds when the limit is created, so it
 *   keeps increasing even if Redis loses its data and the limit is created again.
 */
const head = `
local configKey = KEYS[1]
local base = string.sub(configKey, 1, -7)
local holdersKey, queueKey = base .. 'holders', base .. 'queue'
local waitersKey, tokensKey = base .. 'waiters', base .. 'tokens'
local caller = ARGV[1]
local leaseMs = tonumber(ARGV[2])
local minHoldMs = tonumber(ARGV[3])
local now, limit

-- The server time and the shared limit, read once per call and only by calls that need them (the
-- release of a lease nobody waits for needs neither).
local function load()
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  limit = tonumber(redis.call('HGET', configKey, 'totalTokens'))
  if not limit then
    limit = tonumber(ARGV[4])
    redis.call('HSET', configKey, 'totalTokens', ARGV[4])
    redis.call('HSETNX', configKey, 'sequence', string.format('%.0f', now * 1000))
  end
end
`

/**
 * What the slower paths share, defined after each script's fast path: Lua creates these functions
 * anew on every call, which the common case does not pay for.
 */
const helpers = `
local own = {}

local function nextNumber()
  return redis.call('HINCRBY', configKey, 'sequence', 1)
end

local function grant(id, expiresAt)
  local token = nextNumber()
  redis.call('ZADD', holdersKey, expiresAt, id)
  return token
end

-- Removes an id wherever it is (an id is a holder or a waiter, never both); 1 if it held a token.
local function drop(id)
  if redis.call('ZREM', holdersKey, id) == 1 then
    redis.call('HDEL', tokensKey, id)
    return 1
  end
  redis.call('ZREM', queueKey, id)
  redis.call('ZREM', waitersKey, id)
  return 0
end

-- Bounded per call: what is left is dropped by the next call, and an expired lease still counted
-- can only make the limit stricter, never looser.
local function prune()
  local expired = redis.call('ZRANGEBYSCORE', holdersKey, '-inf', now, 'LIMIT', 0, 100)
  if #expired > 0 then
    redis.call('ZREM', holdersKey, unpack(expired))
    redis.call('HDEL', tokensKey, unpack(expired))
  end
  local gone = redis.call('ZRANGEBYSCORE', waitersKey, '-inf', now, 'LIMIT', 0, 100)
  if #gone > 0 then
    redis.call('ZREM', waitersKey, unpack(gone))
    redis.call('ZREM', queueKey, unpack(gone))
  end
end

local function promote()
  local free = limit - redis.call('ZCARD', holdersKey)
  local steps = 0
  while free > 0 and steps < 1000 do
    steps = steps + 1
    local head = redis.call('ZRANGE', queueKey, 0, 0)[1]
    if not head then break end
    local deadline = tonumber(redis.call('ZSCORE', waitersKey, head))
    redis.call('ZREM', queueKey, head)
    redis.call('ZREM', waitersKey, head)
    if deadline and deadline > now then
      local token = string.format('%.0f', grant(head, math.max(deadline, now + minHoldMs)))
      redis.call('HSET', tokensKey, head, token)
      free = free - 1
      local instance = string.match(head, '^[^:]+')
      if instance == caller then
        own[#own + 1] = head
        own[#own + 1] = token
      else
        local list = base .. 'grants:' .. instance
        redis.call('RPUSH', list, table.concat({ head, token, limit, limit - free, redis.call('ZCARD', queueKey) }, ' '))
        redis.call('PEXPIRE', list, leaseMs * 2)
      end
    end
  end
end

-- Appends the hand-overs to the caller's own waiters and their count.
local function finish(result)
  for i = 1, #own do result[#result + 1] = own[i] end
  result[#result + 1] = #own / 2
  return result
end

local function reply(status, value)
  return finish({ status, value, limit, redis.call('ZCARD', holdersKey), redis.call('ZCARD', queueKey) })
end
`

/**
 * ARGV[5] id, ARGV[6] '1' to never queue. Status 1: granted (value: grant number); 2: queued (value:
 * ticket); 0: no free token and not queued. Waiters are promoted first, so a newcomer never takes
 * a token a waiter is owed.
 */
export const acquireScript = new RedisScript(`${head}
load()
local id = ARGV[5]
local borrowed = redis.call('ZCARD', holdersKey)
-- The common case first: nobody waits and a token is free (an expired lease not pruned yet only
-- makes this check stricter).
if borrowed < limit and redis.call('ZCARD', queueKey) == 0 then
  local token = redis.call('HINCRBY', configKey, 'sequence', 1)
  redis.call('ZADD', holdersKey, now + leaseMs, id)
  return { 1, token, limit, borrowed + 1, 0, 0 }
end
${helpers}
prune()
promote()
if redis.call('ZCARD', queueKey) == 0 and redis.call('ZCARD', holdersKey) < limit then
  return reply(1, grant(id, now + leaseMs))
end
if ARGV[6] == '1' then return reply(0, 0) end
local ticket = nextNumber()
redis.call('ZADD', queueKey, ticket, id)
redis.call('ZADD', waitersKey, now + leaseMs, id)
return reply(2, ticket)
`)

/**
 * ARGV[5] id of a lease or a waiter: gives the token back or leaves the queue, and hands what was
 * freed to the next waiters (expired leases are pruned only when someone waits for them).
 * Idempotent. Status 1 if the id held a token.
 */
export const releaseScript = new RedisScript(`${head}
local id = ARGV[5]
local removed = 0
if redis.call('ZREM', holdersKey, id) == 1 then
  removed = 1
  redis.call('HDEL', tokensKey, id)
else
  redis.call('ZREM', queueKey, id)
  redis.call('ZREM', waitersKey, id)
end
if redis.call('ZCARD', queueKey) == 0 then
  -- Nobody to hand the token to: no clock, no limit needed (-1 leaves the caller's view of it).
  return { removed, 0, -1, redis.call('ZCARD', holdersKey), 0, 0 }
end
${helpers}
load()
prune()
promote()
return reply(removed, 0)
`)

/** ARGV[5] the new shared limit. Raising it promotes waiters at once; lowering it revokes nothing. */
export const resizeScript = new RedisScript(`${head}${helpers}
load()
limit = tonumber(ARGV[5])
redis.call('HSET', configKey, 'totalTokens', ARGV[5])
prune()
promote()
return reply(1, 0)
`)

/** No operation of its own: prunes, promotes and reports the cluster-wide numbers. */
export const peekScript = new RedisScript(`${head}${helpers}
load()
prune()
promote()
return reply(1, 0)
`)

/**
 * One call per instance per renewal period. ARGV[5..8]: how many ids to forget, leases to renew,
 * waiters to renew (as id, ticket pairs) and fallback leases to adopt; then those ids. After the
 * five header fields, one result per lease, waiter and adopted lease, in that order:
 * - forget: ids this instance gave up while Redis did not answer (idempotent release/cancel);
 * - renew: 1 if renewed, 0 if the lease had run out (it is dropped, never brought back);
 * - waiters: the grant number if it was handed a token (the push may have been lost: this call
 *   claims it), 0 if still queued, and -(sequence + 1) if it had been dropped and is queued again
 *   at its ticket (any hand-over numbered up to that sequence is stale);
 * - adopt: the grant number given to a lease the outage fallback handed out, counted from now on.
 */
export const heartbeatScript = new RedisScript(`${head}${helpers}
load()
local forgetCount, heldCount, waiterCount, adoptCount = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local at = 9
for i = 1, forgetCount do
  drop(ARGV[at])
  at = at + 1
end
prune()
local result = { 1, 0, limit, 0, 0 }
for i = 1, heldCount do
  local id = ARGV[at]
  at = at + 1
  local expiresAt = tonumber(redis.call('ZSCORE', holdersKey, id))
  if expiresAt and expiresAt > now then
    redis.call('ZADD', holdersKey, now + leaseMs, id)
    result[#result + 1] = 1
  else
    drop(id)
    result[#result + 1] = 0
  end
end
for i = 1, waiterCount do
  local id, ticket = ARGV[at], ARGV[at + 1]
  at = at + 2
  if redis.call('ZSCORE', holdersKey, id) then
    redis.call('ZADD', holdersKey, now + leaseMs, id)
    result[#result + 1] = tonumber(redis.call('HGET', tokensKey, id))
  elseif redis.call('ZSCORE', queueKey, id) then
    redis.call('ZADD', waitersKey, now + leaseMs, id)
    result[#result + 1] = 0
  else
    redis.call('ZADD', queueKey, ticket, id)
    redis.call('ZADD', waitersKey, now + leaseMs, id)
    result[#result + 1] = -1 - tonumber(redis.call('HGET', configKey, 'sequence'))
  end
end
for i = 1, adoptCount do
  result[#result + 1] = grant(ARGV[at], now + leaseMs)
  at = at + 1
end
promote()
result[4] = redis.call('ZCARD', holdersKey)
result[5] = redis.call('ZCARD', queueKey)
return finish(result)
`)
