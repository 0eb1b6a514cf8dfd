// The Redis entry points with the ioredis and BullMQ that a peer set resolves (vitest.config.mjs):
// connected the way the READMEs do it (`import { Redis } from 'ioredis'`), each one doing its basic
// work across two instances. Deterministic on purpose: no step depends on how fast the machine is.
import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, expect, it } from 'vitest'
import { TaskQueue } from '../../packages/background-tasks/src/bullmq/index.js'
import { RedisCapacityLimiter } from '../../packages/limiter/src/redis/index.js'
import { RedisTtlCache } from '../../packages/ttl-cache/src/redis/index.js'

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `loopwork-peer-check:${randomUUID()}:`
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function connect(maxRetriesPerRequest: number | null = 1): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest })
  cleanups.push(() => redis.quit())
  return redis
}

/** Long enough for any machine: a step waited for here is a message or a reply from Redis. */
const patience = { timeout: 10_000 }

async function deleteKeys(pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
  try {
    const keys = await redis.keys(pattern)
    if (keys.length > 0) await redis.del(...keys)
  } finally {
    await redis.quit()
  }
}

it('RedisCapacityLimiter: two instances share one token, handed over from one to the other', async () => {
  cleanups.push(() => deleteKeys(`${prefix}*`))
  const options = { name: 'shared', keyPrefix: prefix, totalTokens: 1 }
  const first = new RedisCapacityLimiter({ redis: connect(), ...options })
  const second = new RedisCapacityLimiter({ redis: connect(), ...options })
  cleanups.push(
    () => first.close(),
    () => second.close(),
  )
  const held = await first.acquire()
  const waiting = second.acquire({ timeoutMs: 10_000 })
  await expect.poll(() => second.stats().waiting, patience).toBe(1)
  await held.release()
  const handedOver = await waiting
  expect(handedOver.token).toBeGreaterThan(held.token)
  await handedOver.release()
  expect(await first.refreshStats()).toMatchObject({ borrowedTokens: 0, waiting: 0 })
})

it('RedisTtlCache: a value loaded by one instance is read by another, and an invalidation reaches both', async () => {
  cleanups.push(() => deleteKeys(`${prefix}*`))
  const options = { keyPrefix: prefix, max: 100, ttlMs: 60_000 }
  const first = new RedisTtlCache<string>({ redis: connect(), ...options })
  const second = new RedisTtlCache<string>({ redis: connect(), ...options })
  cleanups.push(
    () => first.close(),
    () => second.close(),
  )
  await Promise.all([first.ready(), second.ready()])
  let loads = 0
  const load = () => {
    loads++
    return `value ${loads}`
  }
  expect(await first.getOrLoad('item', load, { tags: ['items'] })).toBe('value 1')
  expect(await second.getOrLoadWithStatus('item', load)).toEqual({
    value: 'value 1',
    status: 'hit',
  })
  expect(second.redisStats().redisHits).toBe(1)
  await first.invalidateTag('items')
  await expect.poll(() => second.memory.get('item'), patience).toBeUndefined()
  expect(await second.getOrLoad('item', load)).toBe('value 2')
})

it('TaskQueue on BullMQ: a job added by one queue is run and its result read', async () => {
  const name = `loopwork-peer-check-${randomUUID()}`
  cleanups.push(async () => {
    const queue = new Queue(name, { connection: { url: redisUrl } })
    await queue.obliterate({ force: true })
    await queue.close()
  })
  const queue = new TaskQueue({
    name,
    // BullMQ's workers need a connection that retries without a limit.
    connection: connect(null),
    handlers: { greet: (data: { to: string }) => `hello ${data.to}` },
  })
  cleanups.push(() => queue.close({ timeoutMs: 2_000 }))
  const id = await queue.add('greet', { to: 'floor' })
  expect(await queue.result(id, { signal: AbortSignal.timeout(10_000) })).toBe('hello floor')
})
