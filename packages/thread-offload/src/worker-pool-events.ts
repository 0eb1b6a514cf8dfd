/** A call was handed to a thread. */
export interface TaskStartEvent {
  readonly name: string
  /** Milliseconds from the call to its hand-over to a thread. */
  readonly waitMs: number
  readonly threadId: number
}

/** A call resolved. */
export interface TaskEndEvent {
  readonly name: string
  /** Milliseconds the task ran, measured in its thread. */
  readonly durationMs: number
  /** Milliseconds from the call until its thread started it. */
  readonly waitMs: number
  readonly threadId: number
}

/** A call rejected, wherever it was: waiting, queued or running. */
export interface TaskErrorEvent {
  readonly name: string
  readonly error: unknown
  /** Milliseconds it ran (0 when it never started). */
  readonly durationMs: number
  /** Milliseconds it waited before it started or failed. */
  readonly waitMs: number
  /** The thread it ran on, when it got one. */
  readonly threadId: number | undefined
}

/** A thread was started. */
export interface ThreadSpawnEvent {
  readonly threadId: number
}

/** Why a thread ended. */
export type ThreadExitReason = 'idle' | 'crash' | 'abort' | 'timeout' | 'close' | 'startup-failure'

/** A thread ended. */
export interface ThreadExitEvent {
  readonly threadId: number
  readonly exitCode: number
  readonly reason: ThreadExitReason
  /** What killed it, for `'crash'` and `'startup-failure'`. */
  readonly error: unknown
}

/**
 * Events of a pool (eventemitter3), for metrics and logs. Payloads are built only while someone
 * listens, so they cost nothing otherwise.
 */
export interface WorkerPoolEvents {
  taskStart: (event: TaskStartEvent) => void
  taskEnd: (event: TaskEndEvent) => void
  taskError: (event: TaskErrorEvent) => void
  threadSpawn: (event: ThreadSpawnEvent) => void
  threadExit: (event: ThreadExitEvent) => void
}
