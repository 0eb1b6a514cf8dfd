import { createServer } from 'node:net'
import {
  cleanUpAfterEachTest,
  RedisTestKeyspace,
  redisUrl,
} from '@loopwork/internal/test-support/redis-keyspace'
import { Redis } from 'ioredis'
import { RedisTtlCache, type RedisTtlCacheOptions } from '../src/redis/index.js'

export { eventually } from '@loopwork/internal/test-support/eventually'

/** A test's caches and connections on the shared Redis, under the test's own key prefix. */
export class RedisTestBed extends RedisTestKeyspace<Redis> {
  constructor() {
    super('ttl-cache', () => new Redis(redisUrl, { maxRetriesPerRequest: 1 }))
  }

  /** A cache on its own connection (an "instance"), under this test's prefix. */
  cache<V extends {} | null>(options: Partial<RedisTtlCacheOptions<V>> = {}): RedisTtlCache<V> {
    return this.track(
      new RedisTtlCache<V>({
        redis: options.redis ?? this.client(),
        keyPrefix: this.prefix,
        max: 1000,
        ttlMs: 60_000,
        operationTimeoutMs: 2_000,
        ...options,
      }),
    )
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
    return this.adopt(client)
  }

  /**
   * A client whose server accepts the connection and never answers: every command hangs. The
   * server's sockets end when the client is disconnected after the test.
   */
  async silentClient(): Promise<Redis> {
    const server = this.track(createServer(() => {}))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true })
    client.on('error', () => {})
    return this.adopt(client)
  }
}

/** One bed for the tests of the calling file or `describe` block, cleaned up after each test. */
export function redisTestBedPerTest(): RedisTestBed {
  return cleanUpAfterEachTest(new RedisTestBed())
}
