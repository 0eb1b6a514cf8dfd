import { createHook } from 'node:async_hooks'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { RedisCapacityLimiter } from '../src/redis/index.js'
import { eventually, redisBedPerTest, redisUrl } from './fixtures/redis-bed.js'

/**
 * Timers created by the limiter's own code (their creation stack runs through src/redis), still
 * pending: unref'ed timers do not show in getActiveResourcesInfo(), so they are tracked here.
 */
function trackLimiterTimers(): { pending: Set<number>; stop: () => void } {
  const pending = new Set<number>()
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout' && new Error().stack?.includes('/src/redis/')) pending.add(id)
    },
    destroy(id) {
      pending.delete(id)
    },
  })
  hook.enable()
  return { pending, stop: () => hook.disable() }
}

/** How many sockets this process has open. */
function sockets(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length
}

describe('RedisCapacityLimiter.close()', () => {
  const bed = redisBedPerTest()

  it('leaves no timer, socket or Redis connection of its own, and keeps the connection it was given', async () => {
    const redis = new Redis(redisUrl)
    await redis.ping()
    const other = bed.limiter({ totalTokens: 1 })
    const held = await other.acquire()
    const admin = bed.client()
    await admin.ping()
    const before = sockets()
    const timers = trackLimiterTimers()

    const limiter = new RedisCapacityLimiter({
      redis,
      name: 'shared',
      keyPrefix: bed.prefix,
      leaseMs: 300,
    })
    // Wait (opens the hand-over connection), hold (starts renewals), time out once.
    const waiting = limiter.acquire()
    await expect(limiter.acquire({ timeoutMs: 50 })).rejects.toMatchObject({ timeoutMs: 50 })
    await eventually(() => expect(limiter.stats().waiting).toBe(1))
    await held.release()
    const lease = await waiting
    const instance = lease.id.split(':')[0]!
    expect(sockets()).toBe(before + 1)
    expect(await admin.client('LIST')).toContain(`name=loopwork-limiter:${instance}`)
    expect(timers.pending.size).toBeGreaterThan(0)

    await limiter.close()
    await eventually(async () =>
      expect(await admin.client('LIST')).not.toContain(`name=loopwork-limiter:${instance}`),
    )
    await eventually(() => expect(sockets()).toBe(before))
    await eventually(() => expect(timers.pending.size).toBe(0))
    timers.stop()
    // The connection passed in is still open and usable.
    expect(await redis.ping()).toBe('PONG')
    expect(limiter.stats()).toMatchObject({ running: 0, localWaiting: 0 })
    redis.disconnect()
  })

  it('a process with a closed limiter exits by itself', async () => {
    const { fork } = await import('node:child_process')
    const script = `
      import { createHook } from 'node:async_hooks'
import { Redis } from 'ioredis'
      import { RedisCapacityLimiter } from '@loopwork/limiter/redis'
      const redis = new Redis(process.env.REDIS_URL)
      const limiter = new RedisCapacityLimiter({ redis, name: 'exit', keyPrefix: process.env.KEY_PREFIX, leaseMs: 300, totalTokens: 1 })
      const lease = await limiter.acquire()
      const waiting = limiter.acquire().catch(() => 'closed')
      setTimeout(async () => {
        await limiter.close()
        console.log(await waiting)
        redis.disconnect()
      }, 200)
    `
    const child = fork('--input-type=module', [], {
      execArgv: [
        '--conditions=@loopwork/source',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      env: { ...process.env, REDIS_URL: redisUrl, KEY_PREFIX: bed.prefix },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      cwd: new URL('..', import.meta.url).pathname,
    })
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(output.trim()).toBe('closed')
    expect(code).toBe(0)
  })
})
