import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { Redis } from 'ioredis'
import { afterEach, vi } from 'vitest'
import { RedisTtlCache, type RedisTtlCacheOptions } from '../src/redis/index.js'

/** The shared Redis every engineer's tests use; each test run works under its own key prefix. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

function newPrefix(): string {
  return `loopwork-test:ttl-cache:${randomUUID()}:`
}

/**
 * Tracks what a test opened so `cleanUp` can close it and delete its keys; the bed then serves the
 * next test under a new prefix.
 */
export class RedisTestBed {
  #prefix = newPrefix()
  readonly #clients: Redis[] = []
  readonly #caches: RedisTtlCache<any>[] = []
  readonly #servers: Server[] = []

  /** The key prefix of the current test: no other test (of this run or another) shares it. */
  get prefix(): string {
    return this.#prefix
  }

  /** A new connection to the shared Redis. */
  client(): Redis {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    this.#clients.push(client)
    return client
  }

  /** A cache on its own connection (an "instance"), under this run's prefix. */
  cache<V extends {} | null>(options: Partial<RedisTtlCacheOptions<V>> = {}): RedisTtlCache<V> {
    const cache = new RedisTtlCache<V>({
      redis: options.redis ?? this.client(),
      keyPrefix: this.prefix,
      max: 1000,
      ttlMs: 60_000,
      operationTimeoutMs: 2_000,
      ...options,
    })
    this.#caches.push(cache)
    return cache
  }

  /** A client pointed at a loopback port nobody listens on: every command fails. */
  async deadClient(): Promise<Redis> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const client = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      retryStrategy: () => 50,
    })
    client.on('error', () => {})
    this.#clients.push(client)
    return client
  }

  /** A client whose server accepts the connection and never answers: every command hangs. */
  async silentClient(): Promise<Redis> {
    const server = createServer(() => {})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.#servers.push(server)
    const { port } = server.address() as { port: number }
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true })
    client.on('error', () => {})
    this.#clients.push(client)
    return client
  }

  /** Closes everything, deletes this test's keys (with SCAN) and takes a new prefix. */
  async cleanUp(): Promise<void> {
    for (const cache of this.#caches.splice(0)) cache.close()
    try {
      const admin = new Redis(redisUrl)
      let cursor = '0'
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000)
        cursor = next
        if (keys.length > 0) await admin.unlink(...keys)
      } while (cursor !== '0')
      await admin.quit()
    } finally {
      for (const client of this.#clients.splice(0)) client.disconnect()
      for (const server of this.#servers.splice(0)) {
        server.close()
        // A silent server keeps its sockets open; closing the clients above ends them.
      }
      this.#prefix = newPrefix()
    }
  }
}

/**
 * One bed for the tests of the calling file or `describe` block: after each test, whatever its
 * outcome, its spies are restored (so the clean-up runs on real clients), then what it opened is
 * closed and its keys deleted.
 */
export function redisTestBedPerTest(): RedisTestBed {
  const bed = new RedisTestBed()
  afterEach(async () => {
    vi.restoreAllMocks()
    await bed.cleanUp()
  })
  return bed
}

/** Waits until `check` passes (pub/sub delivery is asynchronous), failing after `timeoutMs`. */
export async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
