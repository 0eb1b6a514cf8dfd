import { startTimer } from '@loopwork/internal'
import type { Cluster, Redis } from 'ioredis'

/**
 * How long one blocking pop waits, in seconds. Short enough that a connection that silently died is
 * noticed (ioredis' `blockingTimeout` cuts a call that outlives it), long enough to cost nothing.
 */
const BLOCK_SECONDS = 5
/** The most hand-overs one pop takes. */
const POP_COUNT = 100
/** Pause before trying again after a failed pop or while the connection is not ready. */
const RETRY_MS = 200

/**
 * Wakes waiters without polling: a dedicated connection blocks in BLMPOP (BLPOP before Redis 7) on
 * this instance's hand-over list while any of its waiters is queued in Redis, and passes each
 * entry on. A connection in a blocking pop cannot run other commands, hence its own. It is opened on the first wait
 * and closed by `close()`. Entries lost on the way (a connection cut mid-reply) are recovered by
 * the limiter's renewal call, which reports grants it finds for this instance's waiters.
 */
export class GrantListener {
  readonly #source: Redis | Cluster
  readonly #key: string
  readonly #connectionName: string
  readonly #wanted: () => boolean
  readonly #deliver: (entry: string) => void
  #connection: Redis | Cluster | undefined
  #running = false
  #closed = false
  #popMany = true
  #pause: { timer: ReturnType<typeof setTimeout> | undefined; resume: () => void } | undefined

  constructor(
    source: Redis | Cluster,
    key: string,
    connectionName: string,
    wanted: () => boolean,
    deliver: (entry: string) => void,
  ) {
    this.#source = source
    this.#key = key
    this.#connectionName = connectionName
    this.#wanted = wanted
    this.#deliver = deliver
  }

  /** Starts listening unless it already does; it stops by itself once nothing is wanted. */
  wake(): void {
    if (this.#running || this.#closed) return
    this.#running = true
    this.#listen().catch(ignore)
  }

  /** Stops listening and closes the connection (it was made here, never the user's). */
  close(): void {
    this.#closed = true
    this.#pause?.resume()
    this.#connection?.disconnect()
    this.#connection = undefined
  }

  async #listen(): Promise<void> {
    try {
      while (!this.#closed && this.#wanted()) {
        const connection = this.#open()
        if (connection.status !== 'ready') {
          await this.#wait(connection, RETRY_MS)
          continue
        }
        let entries: readonly string[] | undefined
        try {
          entries = await this.#pop(connection)
        } catch (error) {
          if (this.#popMany && isUnknownCommand(error)) {
            // Redis before 7.0 has no BLMPOP: one entry per BLPOP then.
            this.#popMany = false
            continue
          }
          // Redis unreachable or the connection cut: the limiter's own calls notice and report it.
          if (!this.#closed) await this.#wait(undefined, RETRY_MS)
          continue
        }
        if (entries === undefined || this.#closed) continue
        for (const entry of entries) this.#deliver(entry)
      }
    } finally {
      // Cleared in the same turn the loop ends, so a wake() right after starts a new loop.
      this.#running = false
    }
  }

  /** Blocks until hand-overs arrive and takes all of them at once (BLMPOP), or one (BLPOP). */
  async #pop(connection: Redis | Cluster): Promise<readonly string[] | undefined> {
    if (this.#popMany) {
      const reply = await connection.blmpop(BLOCK_SECONDS, 1, this.#key, 'LEFT', 'COUNT', POP_COUNT)
      return reply === null ? undefined : reply[1]
    }
    const reply = await connection.blpop(this.#key, BLOCK_SECONDS)
    return reply === null ? undefined : [reply[1]]
  }

  #open(): Redis | Cluster {
    if (this.#connection !== undefined) return this.#connection
    const options = {
      connectionName: this.#connectionName,
      // Connects now even when the user's client was made with `lazyConnect`: the listener only
      // blocks once the connection is ready, so a lazy copy would never connect, and every
      // hand-over would wait for the renewal call (leaseMs / 3).
      lazyConnect: false,
      // A command sent while disconnected fails at once instead of waiting to be replayed later,
      // and a cut BLPOP is not resent: the loop decides when to block again.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      // Ends a pop whose reply never comes (a socket that died without closing) 2 s after its
      // own timeout; the loop then blocks again.
      blockingTimeout: BLOCK_SECONDS * 1000,
      blockingTimeoutGrace: 2_000,
    }
    const connection = this.#source.isCluster
      ? (this.#source as Cluster).duplicate(undefined, options)
      : (this.#source as Redis).duplicate(options)
    // Failures show up as rejected commands; without a listener ioredis would log every one.
    connection.on('error', ignore)
    this.#connection = connection
    return connection
  }

  /** Waits `milliseconds`, or less if `connection` becomes ready or the listener closes. */
  #wait(connection: Redis | Cluster | undefined, milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const pause = {
        timer: undefined as ReturnType<typeof setTimeout> | undefined,
        resume: () => {
          if (pause.timer !== undefined) clearTimeout(pause.timer)
          connection?.off('ready', pause.resume)
          this.#pause = undefined
          resolve()
        },
      }
      pause.timer = startTimer(pause.resume, milliseconds)
      connection?.once('ready', pause.resume)
      this.#pause = pause
    })
  }
}

function ignore(): void {}

function isUnknownCommand(error: unknown): boolean {
  return error instanceof Error && /unknown command/i.test(error.message)
}
