import { Buffer } from 'node:buffer'
import {
  MessageChannel,
  type MessagePort,
  type TransferListItem,
  Worker,
  type WorkerOptions,
} from 'node:worker_threads'
import { currentRuntime } from '@loopwork/internal'
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
  /** The thread entry: its code (with `workerOptions.eval`), or a module's URL. */
  readonly entry: URL | string
  readonly module: string
  readonly loader: string | undefined
  /** Replaced once if a thread refuses flags inherited from the parent. */
  workerOptions: WorkerOptions
  derivedExecArgv: boolean
}

/** What the thread entry is called in stack traces and messages when it runs from its embedded code. */
const EMBEDDED_ENTRY_NAME = 'loopwork-thread.js'

let embeddedEntryUrl: URL | undefined

/**
 * The embedded thread entry as a `data:` URL module, made once per process. base64 rather than
 * percent-encoding: shorter for code, and a new thread decodes it faster.
 */
function embeddedEntry(code: string): URL {
  embeddedEntryUrl ??= new URL(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`,
  )
  return embeddedEntryUrl
}

/**
 * Whether a Node thread may be given the embedded code itself to evaluate (`eval: true`), the
 * quickest start: Node recognises it as an ES module by its syntax, unless that detection is
 * turned off. Bun and Deno start from the `data:` URL (Deno refuses module syntax in evaluated
 * code).
 */
function evaluatesModuleCode(execArgv: readonly string[]): boolean {
  if (currentRuntime !== 'node') return false
  const flags = [...execArgv, process.env.NODE_OPTIONS ?? '']
  return !flags.some((flag) => flag.includes('detect-module') || flag.includes('default-type'))
}

/**
 * How the threads of a pool are spawned. Built, the package carries the thread entry's code (see
 * `thread-entry-code.ts`): a Node thread evaluates it, a Bun or Deno thread imports it as a
 * `data:` URL module. Nothing is looked up on disk, so bundling the package into an application
 * changes nothing. Running from its TypeScript sources, threads start from
 * `src/internal/worker-entry.ts`.
 */
export function threadLaunch(options: ResolvedPoolOptions): ThreadLaunch {
  const code = THREAD_ENTRY_CODE
  const loading = threadLoading(
    options.module,
    code === undefined ? SOURCE_ENTRY!.href : EMBEDDED_ENTRY_NAME,
    options.execArgv,
  )
  const evaluate = code !== undefined && evaluatesModuleCode(loading.execArgv ?? process.execArgv)
  return {
    entry: code === undefined ? SOURCE_ENTRY! : evaluate ? code : embeddedEntry(code),
    module: options.module,
    loader: loading.loader,
    workerOptions: {
      eval: evaluate,
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
