import { AsyncLocalStorage } from 'node:async_hooks'
import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AbortError,
  ClosedError,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
  TaskSupervisor,
  TimeoutError,
} from '../src/index.js'
import { countingThenable } from './helpers/counting-thenable.js'
import { deferred, flush } from './helpers/deferred.js'
import { watchUnhandledRejections } from './helpers/unhandled-rejections.js'

const unhandled = watchUnhandledRejections()

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

function quietSupervisor(options: ConstructorParameters<typeof TaskSupervisor>[0] = {}) {
  return new TaskSupervisor({ onError: () => {}, ...options })
}

describe('TaskSupervisor.spawn', () => {
  it('starts the task at once with its signal and name, and tracks it until it ends', async () => {
    const supervisor = quietSupervisor({ name: 'jobs' })
    const gate = deferred<number>()
    let context: { signal: AbortSignal; name: string } | undefined
    const handle = supervisor.spawn(
      (received) => {
        context = received
        return gate.promise
      },
      { name: 'reindex' },
    )
    expect(context?.name).toBe('reindex')
    expect(context?.signal).toBeInstanceOf(AbortSignal)
    expect(context?.signal.aborted).toBe(false)
    expect(handle).toMatchObject({ id: 1, name: 'reindex' })
    expect(supervisor.running).toBe(1)
    expect(handle.outcome).toBeUndefined()
    gate.resolve(42)
    expect(await handle.done).toEqual({ status: 'succeeded', value: 42 })
    expect(await handle.result()).toBe(42)
    expect(supervisor.running).toBe(0)
    expect(supervisor.stats()).toEqual({
      name: 'jobs',
      waiting: 0,
      running: 0,
      started: 1,
      succeeded: 1,
      failed: 0,
      aborted: 0,
      draining: false,
    })
  })

  it('takes the task name from the function when none is given', () => {
    const supervisor = quietSupervisor()
    expect(supervisor.spawn(function warmCache() {}).name).toBe('warmCache')
    expect(supervisor.spawn((() => () => {})()).name).toBe('anonymous')
  })

  it('handles sync tasks and hands out a done promise after the fact', async () => {
    const supervisor = quietSupervisor()
    const handle = supervisor.spawn(() => 'now')
    expect(handle.outcome).toEqual({ status: 'succeeded', value: 'now' })
    expect(await handle.done).toEqual({ status: 'succeeded', value: 'now' })
    expect(supervisor.stats()).toMatchObject({ started: 1, succeeded: 1, running: 0 })
  })

  it('reports every failure to onError and the fail event with the task name, and counts it', async () => {
    const onError = vi.fn()
    const supervisor = new TaskSupervisor({ onError, name: 'jobs' })
    const onFail = vi.fn()
    supervisor.on('fail', onFail)
    const asyncFailure = new Error('async')
    const syncFailure = new Error('sync')
    const asyncHandle = supervisor.spawn(async () => Promise.reject(asyncFailure), {
      name: 'fetchFeed',
    })
    const syncHandle = supervisor.spawn(
      () => {
        throw syncFailure
      },
      { name: 'parse' },
    )
    expect(await asyncHandle.done).toEqual({ status: 'failed', error: asyncFailure })
    expect(await syncHandle.done).toEqual({ status: 'failed', error: syncFailure })
    expect(onError).toHaveBeenCalledWith(syncFailure, { id: 2, name: 'parse' })
    expect(onError).toHaveBeenCalledWith(asyncFailure, { id: 1, name: 'fetchFeed' })
    expect(onFail).toHaveBeenCalledWith({
      error: asyncFailure,
      task: { id: 1, name: 'fetchFeed' },
    })
    expect(onFail).toHaveBeenCalledWith({ error: syncFailure, task: { id: 2, name: 'parse' } })
    expect(onFail.mock.calls.every((call) => call.length === 1)).toBe(true)
    expect(supervisor.stats()).toMatchObject({ started: 2, failed: 2, succeeded: 0 })
    await expect(asyncHandle.result()).rejects.toBe(asyncFailure)
  })

  it('logs a failure with the supervisor and task names when there is no onError and no listener', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const supervisor = new TaskSupervisor({ name: 'jobs' })
    const failure = new Error('boom')
    await supervisor.spawn(async () => Promise.reject(failure), { name: 'reindex' }).done
    expect(log).toHaveBeenCalledWith(
      '[loopwork] task "reindex" of supervisor "jobs" failed:',
      failure,
    )
  })

  it('never produces an unhandled rejection, whatever the task, the callback or the listener does', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const supervisor = new TaskSupervisor({
      onError: () => {
        throw new Error('onError broken')
      },
    })
    supervisor.on('fail', () => {
      throw new Error('listener broken')
    })
    supervisor.spawn(async () => Promise.reject(new Error('nobody awaits this')))
    supervisor.spawn(() => {
      throw new Error('sync throw')
    })
    // rejects after its timeout already ended it
    supervisor.spawn(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        throw new Error('late')
      },
      { timeoutMs: 1 },
    )
    // rejects after it was aborted
    const controller = new AbortController()
    supervisor.spawn(
      ({ signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
      { signal: controller.signal },
    )
    controller.abort(new Error('stop'))
    // a foreign thenable that rejects
    supervisor.spawn(
      () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is exactly what this checks
          then: (_resolve: unknown, reject: (error: Error) => void) =>
            reject(new Error('thenable')),
        }) as PromiseLike<never>,
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await unhandled.reported()).toEqual([])
    expect(supervisor.stats()).toMatchObject({ started: 5, failed: 4, aborted: 1, running: 0 })
    expect(log.mock.calls.some((call) => String(call[0]).includes('onError callback'))).toBe(true)
    expect(log.mock.calls.some((call) => String(call[0]).includes('event listener'))).toBe(true)
  })

  it('aborts a task through its own signal option: the context signal aborts with the same reason and it counts as aborted, not failed', async () => {
    const onError = vi.fn()
    const supervisor = new TaskSupervisor({ onError })
    const controller = new AbortController()
    let signal: AbortSignal | undefined
    const handle = supervisor.spawn(
      (context) => {
        signal = context.signal
        return new Promise(() => {})
      },
      { signal: controller.signal },
    )
    const reason = new Error('client went away')
    controller.abort(reason)
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBe(reason)
    expect(await handle.done).toEqual({ status: 'aborted', reason })
    await expect(handle.result()).rejects.toBeInstanceOf(AbortError)
    await expect(handle.result()).rejects.toMatchObject({
      name: 'AbortError',
      code: 'ABORT_ERR',
      cause: reason,
    })
    expect(onError).not.toHaveBeenCalled()
    expect(supervisor.stats()).toMatchObject({ aborted: 1, failed: 0, running: 0 })
  })

  it('does not run a task whose signal is already aborted', async () => {
    const supervisor = quietSupervisor()
    const task = vi.fn()
    const handle = supervisor.spawn(task, { signal: AbortSignal.abort('too late') })
    expect(task).not.toHaveBeenCalled()
    expect(await handle.done).toEqual({ status: 'aborted', reason: 'too late' })
    expect(handle.signal.aborted).toBe(true)
    expect(supervisor.stats()).toMatchObject({ started: 1, aborted: 1, running: 0 })
  })

  it('fails a task that outlives timeoutMs with TimeoutError and aborts its signal with it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const onError = vi.fn()
    const supervisor = new TaskSupervisor({ onError, name: 'jobs' })
    let signal: AbortSignal | undefined
    const handle = supervisor.spawn(
      (context) => {
        signal = context.signal
        return new Promise(() => {})
      },
      { name: 'slow', timeoutMs: 1_000 },
    )
    vi.advanceTimersByTime(999)
    expect(handle.outcome).toBeUndefined()
    vi.advanceTimersByTime(1)
    const outcome = await handle.done
    expect(outcome.status).toBe('failed')
    const error = (outcome as { error: TimeoutError }).error
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ code: 'LOOPWORK_TIMEOUT', timeoutMs: 1_000 })
    expect(error.message).toMatch(
      /Task "slow" of supervisor "jobs" did not finish within timeoutMs \(1000 ms\)/,
    )
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBe(error)
    expect(onError).toHaveBeenCalledWith(error, { id: 1, name: 'slow' })
    expect(supervisor.stats()).toMatchObject({ failed: 1, running: 0 })
  })

  it('clears the timeout timer and the abort listener of a task that ends in time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const supervisor = quietSupervisor()
    const controller = new AbortController()
    const remove = vi.spyOn(controller.signal, 'removeEventListener')
    await supervisor.spawn(async () => 'fast', { timeoutMs: 1_000, signal: controller.signal }).done
    expect(vi.getTimerCount()).toBe(0)
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function))
  })

  it('aborts a task through handle.abort() and ignores a later settle', async () => {
    const supervisor = quietSupervisor()
    const gate = deferred<string>()
    const handle = supervisor.spawn(({ signal }) => {
      expect(signal.aborted).toBe(false)
      return gate.promise
    })
    handle.abort('no longer needed')
    expect(handle.signal.aborted).toBe(true)
    gate.resolve('late value')
    await flush()
    expect(await handle.done).toEqual({ status: 'aborted', reason: 'no longer needed' })
    expect(supervisor.stats()).toMatchObject({ aborted: 1, succeeded: 0 })
    handle.abort('again')
    expect(supervisor.stats().aborted).toBe(1)
  })

  it('refuses a task past maxRunning with QueueFullError naming the option, and starts nothing', () => {
    const supervisor = quietSupervisor({ name: 'jobs', maxRunning: 2 })
    supervisor.spawn(() => new Promise(() => {}))
    supervisor.spawn(() => new Promise(() => {}))
    const task = vi.fn()
    expect(() => supervisor.spawn(task)).toThrow(QueueFullError)
    expect(() => supervisor.spawn(task)).toThrow(/already runs maxRunning \(2\) tasks/)
    expect(thrownBy(() => supervisor.spawn(task))).toMatchObject({
      code: 'LOOPWORK_QUEUE_FULL',
      option: 'maxRunning',
      limit: 2,
    })
    expect(task).not.toHaveBeenCalled()
    expect(supervisor.stats()).toMatchObject({ started: 2, running: 2, waiting: 0 })
  })

  it('runs the task in the caller’s AsyncLocalStorage context', async () => {
    const storage = new AsyncLocalStorage<string>()
    const supervisor = quietSupervisor()
    const handle = storage.run('request-7', () =>
      supervisor.spawn(async () => {
        await flush()
        return storage.getStore()
      }),
    )
    expect(await handle.result()).toBe('request-7')
  })

  it('rejects bad input with errors naming the option and the value, and starts nothing', () => {
    const supervisor = quietSupervisor()
    const task = vi.fn()
    expect(() => supervisor.spawn(task, { timeoutMs: -1 })).toThrow(
      /timeoutMs must be a number of milliseconds from 0 to 2147483647, or Infinity for no limit, got -1/,
    )
    expect(() => supervisor.spawn(task, { timeoutMs: Number.NaN })).toThrow(RangeError)
    expect(() => supervisor.spawn(task, { signal: 'stop' as unknown as AbortSignal })).toThrow(
      /signal must be an AbortSignal, got "stop"/,
    )
    expect(() => supervisor.spawn(task, { name: '' })).toThrow(/name must be a non-empty string/)
    expect(() => supervisor.spawn('task' as unknown as () => void)).toThrow(
      /task must be a function, got "task"/,
    )
    expect(task).not.toHaveBeenCalled()
    expect(supervisor.stats().started).toBe(0)
    expect(() => new TaskSupervisor({ maxRunning: 0 })).toThrow(
      /maxRunning must be an integer from 1 to Number.MAX_SAFE_INTEGER, or Infinity, got 0/,
    )
    expect(() => new TaskSupervisor({ maxRunning: Number.NaN })).toThrow(RangeError)
    expect(() => new TaskSupervisor({ onError: 1 as unknown as () => void })).toThrow(
      /onError must be a function, got 1/,
    )
  })
})

describe('TaskSupervisor.drain', () => {
  it('resolves at once with an empty report when nothing runs', async () => {
    const supervisor = quietSupervisor()
    expect(await supervisor.drain()).toEqual({ finished: [], aborted: [], timedOut: false })
    expect(supervisor.draining).toBe(true)
  })

  it('refuses new spawns with ClosedError from the moment it is called', async () => {
    const supervisor = quietSupervisor({ name: 'jobs' })
    const gate = deferred()
    supervisor.spawn(() => gate.promise)
    const draining = supervisor.drain()
    const task = vi.fn()
    expect(() => supervisor.spawn(task, { name: 'late' })).toThrow(ClosedError)
    expect(() => supervisor.spawn(task, { name: 'late' })).toThrow(
      /Supervisor "jobs" is shutting down \(drain\(\) was called\) and accepts no new task; "late" was not started/,
    )
    expect(task).not.toHaveBeenCalled()
    gate.resolve()
    await draining
    expect(() => supervisor.spawn(task)).toThrow(ClosedError)
  })

  it('waits for running tasks and reports how each ended', async () => {
    const supervisor = quietSupervisor()
    const first = deferred<string>()
    const second = deferred<string>()
    supervisor.spawn(() => first.promise, { name: 'first' })
    supervisor.spawn(() => second.promise, { name: 'second' })
    let settled = false
    const draining = supervisor.drain({ timeoutMs: 60_000 }).then((report) => {
      settled = true
      return report
    })
    first.resolve('ok')
    await flush()
    expect(settled).toBe(false)
    second.reject(new Error('failed while draining'))
    expect(await draining).toEqual({
      finished: [
        { id: 1, name: 'first', status: 'succeeded' },
        { id: 2, name: 'second', status: 'failed' },
      ],
      aborted: [],
      timedOut: false,
    })
  })

  it('aborts what still runs at the deadline through its signal and reports it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const supervisor = quietSupervisor({ name: 'jobs' })
    const quick = deferred()
    supervisor.spawn(() => quick.promise, { name: 'quick' })
    let stuckSignal: AbortSignal | undefined
    const stuck = supervisor.spawn(
      ({ signal }) => {
        stuckSignal = signal
        return new Promise(() => {})
      },
      { name: 'stuck' },
    )
    const draining = supervisor.drain({ timeoutMs: 5_000 })
    quick.resolve()
    await vi.advanceTimersByTimeAsync(4_999)
    expect(stuckSignal?.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    const report = await draining
    expect(report).toEqual({
      finished: [{ id: 1, name: 'quick', status: 'succeeded' }],
      aborted: [{ id: 2, name: 'stuck' }],
      timedOut: true,
    })
    expect(stuckSignal?.aborted).toBe(true)
    expect(stuckSignal?.reason).toBeInstanceOf(AbortError)
    expect(String(stuckSignal?.reason.cause)).toMatch(/drain deadline of 5000 ms passed/)
    expect((await stuck.done).status).toBe('aborted')
    expect(supervisor.stats()).toMatchObject({ running: 0, aborted: 1, succeeded: 1 })
  })

  it('uses a 10 s deadline by default and accepts Infinity', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const supervisor = quietSupervisor()
    supervisor.spawn(() => new Promise(() => {}))
    const draining = supervisor.drain()
    await vi.advanceTimersByTimeAsync(9_999)
    expect(supervisor.running).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect((await draining).timedOut).toBe(true)

    const patient = quietSupervisor()
    const gate = deferred()
    patient.spawn(() => gate.promise)
    const waiting = patient.drain({ timeoutMs: Number.POSITIVE_INFINITY })
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(patient.running).toBe(1)
    gate.resolve()
    expect((await waiting).timedOut).toBe(false)
  })

  it('rejects a bad timeoutMs', async () => {
    const supervisor = quietSupervisor()
    await expect(supervisor.drain({ timeoutMs: -5 })).rejects.toThrow(/timeoutMs must be/)
  })
})

describe('TaskSupervisor: adopting results, durations, options, errors', () => {
  it('adopts a thenable a task returns once: then is read and called exactly once', async () => {
    const supervisor = quietSupervisor()
    const fulfilled = countingThenable({ value: 'rows' })
    const handle = supervisor.spawn(() => fulfilled.thenable)
    expect(await handle.done).toEqual({ status: 'succeeded', value: 'rows' })
    expect(fulfilled.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })

    const failure = new Error('query failed')
    const rejected = countingThenable<never>({ error: failure })
    const timed = supervisor.spawn(() => rejected.thenable, { timeoutMs: 60_000 })
    expect(await timed.done).toEqual({ status: 'failed', error: failure })
    expect(rejected.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
  })

  it('adopts a thenable onError returns once, with both callbacks, and logs nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const report = countingThenable({ value: undefined })
    const onError = vi.fn(() => report.thenable)
    const supervisor = new TaskSupervisor({ onError })
    await supervisor.spawn(() => Promise.reject(new Error('boom'))).done
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(onError).toHaveBeenCalledOnce()
    expect(report.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
    expect(log).not.toHaveBeenCalled()
  })

  it('treats timeoutMs: Infinity as no time limit and starts no timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const supervisor = quietSupervisor()
    const gate = deferred<string>()
    const handle = supervisor.spawn(() => gate.promise, { timeoutMs: Number.POSITIVE_INFINITY })
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(handle.outcome).toBeUndefined()
    gate.resolve('late but fine')
    expect(await handle.done).toEqual({ status: 'succeeded', value: 'late but fine' })
  })

  it('refuses a duration past the longest timer delay with a RangeError naming the maximum', async () => {
    const supervisor = quietSupervisor()
    const task = vi.fn()
    const tooLong = 2_147_483_648
    const error = thrownBy(() => supervisor.spawn(task, { timeoutMs: tooLong }))
    expect(error).toBeInstanceOf(RangeError)
    expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'timeoutMs' })
    expect(String(error)).toMatch(/from 0 to 2147483647/)
    expect(task).not.toHaveBeenCalled()
    await expect(supervisor.drain({ timeoutMs: tooLong })).rejects.toThrow(
      /timeoutMs must be a number of milliseconds from 0 to 2147483647/,
    )
    expect(supervisor.draining).toBe(false)
  })

  it('refuses a misspelled or wrongly typed option, naming it and the closest known name', async () => {
    const construct = thrownBy(() => new TaskSupervisor({ maxRuning: 5 } as never))
    expect(construct).toBeInstanceOf(TypeError)
    expect(construct).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'maxRuning' })
    expect(String(construct)).toMatch(/Unknown option "maxRuning".*did you mean "maxRunning"/)
    // the old name is refused too, rather than silently ignored
    expect(thrownBy(() => new TaskSupervisor({ maxActive: 5 } as never))).toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'maxActive',
    })
    expect(() => new TaskSupervisor({ name: 5 } as never)).toThrow(
      /name must be a non-empty string, got 5/,
    )
    expect(() => new TaskSupervisor(10 as never)).toThrow(TypeError)

    const supervisor = quietSupervisor()
    const task = vi.fn()
    const spawn = thrownBy(() => supervisor.spawn(task, { timeoutMS: 5 } as never))
    expect(spawn).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'timeoutMS' })
    expect(String(spawn)).toMatch(/did you mean "timeoutMs"/)
    expect(() => supervisor.spawn(task, 'fast' as never)).toThrow(TypeError)
    expect(task).not.toHaveBeenCalled()
    expect(supervisor.stats().started).toBe(0)

    await expect(supervisor.drain({ timeout: 5 } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'timeout',
      message: expect.stringMatching(/did you mean "timeoutMs"/),
    })
    expect(supervisor.draining).toBe(false)
  })

  it('throws only shared loopwork errors, recognisable by code across copies', async () => {
    const supervisor = quietSupervisor({ name: 'jobs', maxRunning: 1 })
    const handle = supervisor.spawn(() => new Promise(() => {}))
    const full = thrownBy(() => supervisor.spawn(() => {}))
    expect(full).toBeInstanceOf(LoopworkError)
    expect(isLoopworkError(full, 'LOOPWORK_QUEUE_FULL')).toBe(true)
    handle.abort()
    const aborted = await handle.result().catch((error: unknown) => error)
    expect(aborted).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
    expect(isLoopworkError(aborted, 'ABORT_ERR')).toBe(true)
    await supervisor.drain()
    const closed = thrownBy(() => supervisor.spawn(() => {}))
    expect(closed).toMatchObject({ name: 'ClosedError', code: 'LOOPWORK_CLOSED' })
    expect(String(closed)).toMatch(/Supervisor "jobs" is shutting down/)
  })
})
