import { Buffer } from 'node:buffer'
import {
  MessageChannel,
  type MessagePort,
  type TransferListItem,
  Worker,
  type WorkerOptions,
} from 'node:worker_threads'
import {
  createControlBlock,
  isClaimed,
  markPending,
  revoke,
  SLOT_COUNT,
  slotOf,
  WAKE_INDEX,
} from './claim-slots.js'
import { threadLoading } from './module-location.js'
import type { ResolvedPoolOptions } from './pool-options.js'
import { CALL_STRIDE, type ThreadBootData } from './protocol.js'
import type { Task } from './task.js'
import { SOURCE_ENTRY, THREAD_ENTRY_CODE } from './thread-entry-code.js'
import { withoutRefusedFlags } from './thread-exec-argv.js'

/** What a thread reports to its pool. */
export interface ThreadOwner {
  onThreadMessage(thread: PoolThread, message: unknown): void
  onThreadError(thread: PoolThread, error: Error): void
  onThreadExit(thread: PoolThread, exitCode: number): void
  onPostFailed(task: Task, error: unknown): void
}

/** How a thread is spawned. */
export interface ThreadLaunch {
  readonly entry: URL
  readonly module: string
  readonly loader: string | undefined
  /** Replaced once if a thread refuses flags inherited from the parent. */
  workerOptions: WorkerOptions
  derivedExecArgv: boolean
}

let embeddedEntry: URL | undefined

/**
 * Where threads start: the thread entry's code the build embedded, as a `data:` URL module made
 * once per process (nothing is looked up on disk, so bundling the package into an application
 * changes nothing), or, running from the TypeScript sources, `src/internal/worker-entry.ts`. See
 * `thread-entry-code.ts`.
 */
export function threadEntry(): URL {
  if (THREAD_ENTRY_CODE === undefined) return SOURCE_ENTRY!
  // base64: Node reads a data: module's percent-decoded text as Latin-1, which would garble
  // any non-ASCII character; base64 carries the UTF-8 bytes as they are.
  embeddedEntry ??= new URL(
    `data:text/javascript;base64,${Buffer.from(THREAD_ENTRY_CODE).toString('base64')}`,
  )
  return embeddedEntry
}

/** How the threads of a pool are spawned. */
export function threadLaunch(options: ResolvedPoolOptions): ThreadLaunch {
  const entry = threadEntry()
  const loading = threadLoading(options.module, entry.href, options.execArgv)
  return {
    entry,
    module: options.module,
    loader: loading.loader,
    workerOptions: {
      execArgv: loading.execArgv,
      resourceLimits: options.resourceLimits,
      name: `loopwork:${options.name}`,
    },
    derivedExecArgv: loading.derived,
  }
}

/** Starts a Worker; flags it refuses that came from the parent are dropped, once, for every later thread too. */
function startWorker(launch: ThreadLaunch, workerData: ThreadBootData, port: MessagePort): Worker {
  try {
    return new Worker(launch.entry, { ...launch.workerOptions, workerData, transferList: [port] })
  } catch (error) {
    const execArgv = launch.workerOptions.execArgv
    const refused = (error as { code?: unknown }).code === 'ERR_WORKER_INVALID_EXEC_ARGV'
    if (!refused || !launch.derivedExecArgv || execArgv === undefined) throw error
    launch.derivedExecArgv = false
    launch.workerOptions = {
      ...launch.workerOptions,
      execArgv: withoutRefusedFlags(execArgv, error as Error),
    }
    return new Worker(launch.entry, { ...launch.workerOptions, workerData, transferList: [port] })
  }
}

/**
 * The pool's side of one worker thread: its channel, its control block and the calls handed to it,
 * in a ring indexed by sequence number. Calls assigned during one scheduling pass leave in one
 * message when the pass ends.
 */
export class PoolThread {
  readonly worker: Worker
  readonly port: MessagePort
  readonly threadId: number
  readonly #control = createControlBlock()
  readonly #handed: (Task | undefined)[] = new Array(SLOT_COUNT).fill(undefined)
  readonly #owner: ThreadOwner
  #nextSequence = 0
  #batch: unknown[] | undefined
  #batchTransfer: TransferListItem[] | undefined
  /** Calls handed over and not yet settled or taken back. */
  outstanding = 0
  state: 'starting' | 'ready' | 'stopping' | 'exited' = 'starting'
  /** Set while a guarded call owns the thread: nothing else is handed to it. */
  guarded = false
  /** Why the pool stops this thread, if it does. */
  stopReason: 'idle' | 'abort' | 'timeout' | 'close' | 'startup-failure' | undefined
  /** The error the thread reported before it exited, if any. */
  error: Error | undefined
  /** Whether it loaded the task module (sent 'ready'). */
  loaded = false
  /** Why the module failed to load, as the thread reported it. */
  loadError: Error | undefined
  /** Settles once the pool has handled the thread's exit. */
  readonly exited: Promise<void>
  /** Calls this thread finished, to tell a crash loop from an unlucky crash. */
  completed = 0
  /** When it last had nothing to do, on the pool's clock. */
  idleSince: number

  constructor(launch: ThreadLaunch, owner: ThreadOwner, now: number) {
    this.#owner = owner
    this.idleSince = now
    const { port1, port2 } = new MessageChannel()
    const boot: ThreadBootData = {
      module: launch.module,
      loader: launch.loader,
      port: port2,
      control: this.#control.buffer as SharedArrayBuffer,
      timeOrigin: performance.timeOrigin,
    }
    try {
      this.worker = startWorker(launch, boot, port2)
    } catch (error) {
      port1.close()
      throw error
    }
    this.threadId = this.worker.threadId
    this.port = port1
    this.port.on('message', (message: unknown) => owner.onThreadMessage(this, message))
    this.worker.on('error', (error: Error) => owner.onThreadError(this, error))
    this.worker.on('exit', (exitCode: number) => owner.onThreadExit(this, exitCode))
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()))
    // The pool keeps the process alive while it has work (see WorkerPool); idle threads must not.
    this.port.unref()
    this.worker.unref()
  }

  /** Whether another call may be handed to this thread now, given the current depth limit. */
  canTake(depth: number): boolean {
    return (
      this.outstanding < depth &&
      !this.guarded &&
      this.state !== 'stopping' &&
      this.state !== 'exited' &&
      this.#handed[slotOf(this.#nextSequence)] === undefined
    )
  }

  /** Hands a call over; it leaves with the batch at the next `post()`. */
  assign(task: Task): void {
    const sequence = this.#nextSequence++
    this.#handed[slotOf(sequence)] = task
    task.thread = this
    task.sequence = sequence
    this.outstanding++
    if (task.guarded) this.guarded = true
    markPending(this.#control, sequence)
    if (this.#batch === undefined) this.#batch = [sequence, task.name, task.args]
    else this.#batch.push(sequence, task.name, task.args)
    if (task.transfer !== undefined) {
      this.#batchTransfer ??= []
      for (const item of task.transfer) this.#batchTransfer.push(item)
    }
  }

  /** Posts the calls assigned since the last post in one message and wakes the thread if it sleeps. */
  post(): void {
    const batch = this.#batch
    if (batch === undefined) return
    const transfer = this.#batchTransfer
    this.#batch = undefined
    this.#batchTransfer = undefined
    try {
      this.port.postMessage(batch, transfer)
    } catch {
      this.#postOneByOne(batch)
    }
    Atomics.add(this.#control, WAKE_INDEX, 1)
    Atomics.notify(this.#control, WAKE_INDEX, 1)
  }

  /** An argument that cannot be cloned (or a bad transfer list) fails its own call, not the batch. */
  #postOneByOne(batch: unknown[]): void {
    for (let index = 0; index < batch.length; index += CALL_STRIDE) {
      const task = this.#handed[slotOf(batch[index] as number)]!
      try {
        this.port.postMessage(batch.slice(index, index + CALL_STRIDE), task.transfer)
      } catch (error) {
        revoke(this.#control, task.sequence)
        this.#owner.onPostFailed(task, error)
      }
    }
  }

  /** The call with this sequence number, if it is still handed to this thread. */
  handedTask(sequence: number): Task | undefined {
    const task = this.#handed[slotOf(sequence)]
    return task !== undefined && task.sequence === sequence ? task : undefined
  }

  /** Forgets a call (settled, or taken back). */
  release(task: Task): void {
    this.#handed[slotOf(task.sequence)] = undefined
    task.thread = undefined
    this.outstanding--
    if (task.guarded) this.guarded = false
  }

  /** Tries to cancel a call the thread has not started; true when it will now skip it. */
  revoke(task: Task): boolean {
    return revoke(this.#control, task.sequence)
  }

  /** Takes back a call the thread has not started; true when it did (the thread will skip it). */
  takeBack(task: Task): boolean {
    if (!revoke(this.#control, task.sequence)) return false
    this.release(task)
    return true
  }

  /**
   * Takes back up to `count` calls not yet started, newest first; returns them oldest first. It
   * stops at a call whose arguments were transferred: they now belong to this thread.
   */
  takeBackUnstarted(count: number): Task[] {
    const taken: Task[] = []
    for (let back = 1; back <= SLOT_COUNT && taken.length < count; back++) {
      const task = this.handedTask(this.#nextSequence - back)
      if (task === undefined) continue
      if (task.transfer !== undefined || !this.takeBack(task)) break
      taken.push(task)
    }
    return taken.reverse()
  }

  /** The calls still handed over, oldest first (after an exit: those it started and those it never did). */
  handedTasks(): Task[] {
    const tasks: Task[] = []
    for (let back = SLOT_COUNT; back >= 1; back--) {
      const task = this.handedTask(this.#nextSequence - back)
      if (task !== undefined) tasks.push(task)
    }
    return tasks
  }

  /** Whether the thread had started this call. */
  started(task: Task): boolean {
    return isClaimed(this.#control, task.sequence)
  }

  /** Stops the thread; the pool learns about it through `onThreadExit`. */
  stop(reason: NonNullable<PoolThread['stopReason']>): void {
    if (this.state === 'stopping' || this.state === 'exited') return
    this.state = 'stopping'
    this.stopReason = reason
    this.worker.terminate().catch(() => {
      // terminate() only fails when the thread is already gone, which 'exit' reports anyway.
    })
  }
}
