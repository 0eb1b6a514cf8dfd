import { randomUUID } from 'node:crypto'
import { afterEach, vi } from 'vitest'

/** The shared Redis every engineer's tests use; each test works under a key prefix of its own. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** The commands a keyspace needs of a connection; an ioredis client has them. */
export interface RedisConnection {
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    countValue: number,
  ): Promise<[cursor: string, keys: string[]]>
  unlink(...keys: string[]): Promise<number>
  disconnect(): void
}

/** Something a test opened on the keyspace (a limiter, a cache, a server) that must be closed. */
export interface Closable {
  close(): unknown
}

/**
 * What one test has on the shared Redis, under a key prefix no other test (of this run or another)
 * shares: `cleanUp` closes what the test opened and deletes its keys, and the keyspace then serves
 * the next test under a new prefix.
 */
export class RedisTestKeyspace<Connection extends RedisConnection> {
  readonly #label: string
  readonly #connect: () => Connection
  #prefix: string
  readonly #connections: RedisConnection[] = []
  readonly #closables: Closable[] = []

  /**
   * `label` names the package in the prefix (so a key left behind says whose test wrote it);
   * `connect` opens a connection to the shared Redis.
   */
  constructor(label: string, connect: () => Connection) {
    this.#label = label
    this.#connect = connect
    this.#prefix = this.#newPrefix()
  }

  /** The key prefix of the current test. */
  get prefix(): string {
    return this.#prefix
  }

  /** A new connection to the shared Redis, disconnected after the test. */
  client(): Connection {
    return this.adopt(this.#connect())
  }

  /** Disconnects `connection`, made by the test some other way, after the test. */
  adopt<C extends RedisConnection>(connection: C): C {
    this.#connections.push(connection)
    return connection
  }

  /** Closes `closable` after the test, before the connections go. */
  track<T extends Closable>(closable: T): T {
    this.#closables.push(closable)
    return closable
  }

  /** Every key under the current test's prefix, sorted. */
  async keys(): Promise<string[]> {
    const admin = this.client()
    const found: string[] = []
    let cursor = '0'
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${this.#prefix}*`, 'COUNT', 1000)
      cursor = next
      found.push(...keys)
    } while (cursor !== '0')
    return found.sort()
  }

  /** Closes what the test opened, deletes its keys, and takes a new prefix for the next test. */
  async cleanUp(): Promise<void> {
    try {
      await Promise.all(this.#closables.splice(0).map((closable) => closable.close()))
      const keys = await this.keys()
      if (keys.length > 0) await this.client().unlink(...keys)
    } finally {
      for (const connection of this.#connections.splice(0)) connection.disconnect()
      this.#prefix = this.#newPrefix()
    }
  }

  #newPrefix(): string {
    return `loopwork-test:${this.#label}:${randomUUID()}:`
  }
}

/**
 * Makes `keyspace` serve the tests of the calling file or `describe` block: after each test,
 * whatever its outcome, the test's spies are restored (so the clean-up runs on real connections and
 * a real clock), then the keyspace cleans up.
 */
export function cleanUpAfterEachTest<K extends RedisTestKeyspace<RedisConnection>>(keyspace: K): K {
  afterEach(async () => {
    vi.restoreAllMocks()
    await keyspace.cleanUp()
  })
  return keyspace
}
