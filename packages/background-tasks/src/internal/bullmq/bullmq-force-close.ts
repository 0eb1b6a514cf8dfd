import type { Worker } from 'bullmq'

/**
 * Drops the connections of a BullMQ object whose own `close()` hangs, which it does while Redis is
 * unreachable (it waits for the connection first). Shared connections (an ioredis instance the
 * caller passed) are left alone.
 */
export function forceClose(closable: { backend: { close(force?: boolean): Promise<void> } }): void {
  closable.backend.close(true).catch(ignoreClosingError)
}

/**
 * BullMQ's graceful `worker.close()` first waits for the blocking connection, which never settles
 * while Redis is unreachable (BullMQ #2430), and its lock-renewal timer then holds the process
 * forever. `close()` remembers its first call in the public `closing`; clearing it lets a forced
 * close run in its place: it stops the timers and drops the connections without waiting.
 */
export function forceCloseWorker(worker: Worker): void {
  worker.closing = undefined
  worker.close(true).catch(ignoreClosingError)
}

function ignoreClosingError(): void {
  // The connection is being dropped on purpose; an error while closing it says nothing new.
}
