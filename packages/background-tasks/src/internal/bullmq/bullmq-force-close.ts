import type { Worker } from 'bullmq'

/** What `forceClose` reads of BullMQ's connection wrapper (not part of its typed API). */
interface RedisConnectionInternals {
  readonly extraOptions?: { readonly shared?: boolean }
  readonly _client?: { disconnect(): void }
}

/** What `forceClose` reads of a BullMQ queue backend (not part of its typed API). */
interface BackendInternals {
  readonly ownsConnection?: boolean
  readonly connection?: RedisConnectionInternals
  readonly blockingConnection?: RedisConnectionInternals
}

/**
 * Drops the connections of a BullMQ object whose own `close()` hangs, which it does while Redis is
 * unreachable: its graceful close waits for a QUIT that ioredis keeps in its offline queue, and a
 * later `close(true)` only returns that same pending promise, so ioredis goes on reconnecting and
 * its reconnect timer holds the process. `disconnect()` on the ioredis client clears that timer
 * and the socket at once. Shared connections (an ioredis instance the caller passed) are left
 * alone: they are the caller's to close.
 */
export function forceClose(closable: { readonly backend: unknown }): void {
  const backend = closable.backend as BackendInternals | undefined
  if (backend === undefined || backend.ownsConnection === false) return
  dropConnection(backend.blockingConnection)
  dropConnection(backend.connection)
}

function dropConnection(connection: RedisConnectionInternals | undefined): void {
  if (connection === undefined || connection.extraOptions?.shared === true) return
  try {
    connection._client?.disconnect()
  } catch {
    // The connection is being dropped on purpose; an error while dropping it says nothing new.
  }
}

/**
 * BullMQ's graceful `worker.close()` first waits for the blocking connection, which never settles
 * while Redis is unreachable (BullMQ #2430), and its lock-renewal and stalled-check timers then
 * hold the process forever. `close()` remembers its first call in the public `closing`; clearing it
 * lets a forced close run in its place, which stops the lock renewal; the stalled checker is
 * stopped here (the forced close only stops it once the connections closed, which they never do),
 * and the connections are dropped without waiting.
 */
export function forceCloseWorker(worker: Worker): void {
  worker.closing = undefined
  worker.close(true).catch(ignoreClosingError)
  ;(worker as unknown as { stalledCheckStopper?: () => void }).stalledCheckStopper?.()
  forceClose(worker)
}

function ignoreClosingError(): void {
  // The connection is being dropped on purpose; an error while closing it says nothing new.
}
