import type { MessagePort } from 'node:worker_threads'
import type { SerializedError } from './error-transport.js'

/**
 * The messages between the pool and its threads. Calls and results travel as flat arrays (one
 * message per batch, a fixed number of entries per call) rather than one object per call: the
 * structured clone of one array is far cheaper than many small objects, and it allocates nothing
 * per call on either side beyond the values themselves.
 */

/** Entries per call in a batch the pool posts: sequence, task name, arguments. */
export const CALL_STRIDE = 3
/** Entries per call in a batch of results: sequence, status, value, start time, duration. */
export const RESULT_STRIDE = 5

/** The task returned (or its promise fulfilled); the value is the result. */
export const FULFILLED = 0
/** The task threw an Error; the value is a serialized error (see error-transport). */
export const THREW_ERROR = 1
/** The task threw something that is not an Error; the value is that thing. */
export const THREW_VALUE = 2
/** No export of that name is a function; the value lists the exported function names. */
export const UNKNOWN_TASK = 3
/** The task's result could not be cloned; the value is an {@link UncloneableResult}. */
export const UNCLONEABLE_RESULT = 4

/** Why a result could not travel back: where the culprit sits, and the platform's error. */
export interface UncloneableResult {
  /** Its path, such as `result.rows[3]`, when it was found. */
  readonly path: string | undefined
  /** What it is, such as `a function (onDone)`. */
  readonly found: string | undefined
  /** The `DataCloneError` the thread got. */
  readonly error: SerializedError
}

/** The thread loaded the module and takes calls. */
export interface ReadyMessage {
  readonly type: 'ready'
}

/** The module failed to load; the thread exits next. */
export interface StartupFailedMessage {
  readonly type: 'startup-failed'
  readonly error: SerializedError
}

/** A control message from a thread (results batches are plain arrays). */
export type ThreadControlMessage = ReadyMessage | StartupFailedMessage

/** What the pool hands a new thread through `workerData`. */
export interface ThreadBootData {
  /** The task module, as a `file:` URL string. */
  readonly module: string
  /** A module to import before the task module (tsx's loader for a TypeScript module), if any. */
  readonly loader: string | undefined
  /** The thread's end of its channel. */
  readonly port: MessagePort
  /** The shared control block (see claim-slots). */
  readonly control: SharedArrayBuffer
  /** The pool thread's `performance.timeOrigin`, so start times are reported on the pool's clock. */
  readonly timeOrigin: number
}
