import { AsyncLocalStorage } from 'node:async_hooks'
import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BackgroundTasks, LoopworkError, TasksAlreadyRunError } from '../src/index.js'
import { countingThenable } from './helpers/counting-thenable.js'
import { deferred, flush } from './helpers/deferred.js'
import { watchUnhandledRejections } from './helpers/unhandled-rejections.js'

const unhandled = watchUnhandledRejections()

afterEach(() => {
  vi.restoreAllMocks()
})

describe('BackgroundTasks', () => {
  it('runs sync and async tasks with their arguments, in the order added, one after another', async () => {
    const tasks = new BackgroundTasks()
    const log: string[] = []
    const gate = deferred()
    tasks.add(
      async (to: string, subject: string) => {
        log.push(`start email ${to} ${subject}`)
        await gate.promise
        log.push('end email')
      },
      'a@b.c',
      'hi',
    )
    tasks.add((event: { kind: string }) => log.push(`audit ${event.kind}`), { kind: 'login' })
    expect(tasks.size).toBe(2)
    const running = tasks.run()
    await flush()
    // the second task waits for the first to settle
    expect(log).toEqual(['start email a@b.c hi'])
    gate.resolve()
    expect(await running).toEqual({ succeeded: 2, failed: 0, skipped: 0 })
    expect(log).toEqual(['start email a@b.c hi', 'end email', 'audit login'])
  })

  it('does not run anything before run() is called', async () => {
    const tasks = new BackgroundTasks()
    const task = vi.fn()
    tasks.add(task)
    await flush()
    expect(task).not.toHaveBeenCalled()
    expect(tasks.started).toBe(false)
    await tasks.run()
    expect(task).toHaveBeenCalledOnce()
    expect(tasks.started).toBe(true)
  })

  it('reports a throwing or rejecting task to onError with its name and position and still runs the rest (unlike Starlette)', async () => {
    const onError = vi.fn()
    const tasks = new BackgroundTasks({ onError })
    const ran: string[] = []
    const syncFailure = new Error('sync failure')
    const asyncFailure = new Error('async failure')
    tasks.add(function sendEmail() {
      throw syncFailure
    })
    tasks.add(async function audit() {
      throw asyncFailure
    })
    tasks.add(function cleanUp() {
      ran.push('cleanUp')
    })
    expect(await tasks.run()).toEqual({ succeeded: 1, failed: 2, skipped: 0 })
    expect(ran).toEqual(['cleanUp'])
    expect(onError.mock.calls).toEqual([
      [syncFailure, { name: 'sendEmail', position: 0 }],
      [asyncFailure, { name: 'audit', position: 1 }],
    ])
  })

  it('logs a failure with the task name by default', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const tasks = new BackgroundTasks()
    const failure = new Error('smtp down')
    tasks.add(async function sendWelcomeEmail() {
      throw failure
    })
    await tasks.run()
    expect(log).toHaveBeenCalledWith(
      '[loopwork] background task "sendWelcomeEmail" failed:',
      failure,
    )
  })

  it('names anonymous tasks "anonymous"', async () => {
    const onError = vi.fn()
    const tasks = new BackgroundTasks({ onError })
    tasks.add(
      (() => () => {
        throw new Error('x')
      })(),
    )
    await tasks.run()
    expect(onError.mock.calls[0]![1]).toEqual({ name: 'anonymous', position: 0 })
  })

  it('keeps going and logs when onError itself throws or rejects', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const callbackFailure = new Error('logger broken')
    const tasks = new BackgroundTasks({
      onError: () => {
        throw callbackFailure
      },
    })
    const after = vi.fn()
    tasks.add(() => {
      throw new Error('task failed')
    })
    tasks.add(after)
    expect(await tasks.run()).toEqual({ succeeded: 1, failed: 1, skipped: 0 })
    expect(after).toHaveBeenCalledOnce()
    expect(log).toHaveBeenCalledWith(
      '[loopwork] the onError callback for background task "anonymous" threw:',
      callbackFailure,
    )

    const rejectingCallback = new BackgroundTasks({
      onError: async () => Promise.reject(callbackFailure),
    })
    rejectingCallback.add(() => {
      throw new Error('task failed')
    })
    await rejectingCallback.run()
    expect(await unhandled.reported()).toEqual([])
    expect(log).toHaveBeenCalledTimes(2)
  })

  it('rejects a second run() with TasksAlreadyRunError and runs nothing twice', async () => {
    const tasks = new BackgroundTasks()
    const task = vi.fn()
    tasks.add(task)
    await tasks.run()
    await expect(tasks.run()).rejects.toBeInstanceOf(TasksAlreadyRunError)
    await expect(tasks.run()).rejects.toMatchObject({ code: 'LOOPWORK_TASKS_ALREADY_RUN' })
    await expect(tasks.run()).rejects.toBeInstanceOf(LoopworkError)
    expect(task).toHaveBeenCalledOnce()
  })

  it('rejects run() while a run is in progress', async () => {
    const tasks = new BackgroundTasks()
    const gate = deferred()
    tasks.add(() => gate.promise)
    const first = tasks.run()
    await expect(tasks.run()).rejects.toThrow(/already called/)
    gate.resolve()
    await first
  })

  it('throws TasksAlreadyRunError from add() once run() has started, and after it finished', async () => {
    const tasks = new BackgroundTasks()
    const gate = deferred()
    tasks.add(() => gate.promise)
    const running = tasks.run()
    expect(() => tasks.add(() => {})).toThrow(TasksAlreadyRunError)
    expect(() => tasks.add(() => {})).toThrow(/add every task before the response is sent/)
    gate.resolve()
    await running
    expect(() => tasks.add(() => {})).toThrow(TasksAlreadyRunError)
  })

  it('rejects a non-function task with a TypeError naming it', () => {
    const tasks = new BackgroundTasks()
    expect(() => tasks.add('sendEmail' as unknown as () => void)).toThrow(TypeError)
    expect(() => tasks.add('sendEmail' as unknown as () => void)).toThrow(
      /task must be a function, got "sendEmail"/,
    )
    expect(tasks.size).toBe(0)
  })

  it('rejects a non-function onError at construction', () => {
    expect(() => new BackgroundTasks({ onError: 'log' as unknown as () => void })).toThrow(
      /onError must be a function, got "log"/,
    )
  })

  it('runs each task in the AsyncLocalStorage context of its add() call', async () => {
    const storage = new AsyncLocalStorage<string>()
    const tasks = new BackgroundTasks()
    const seen: (string | undefined)[] = []
    storage.run('request-1', () => tasks.add(() => seen.push(storage.getStore())))
    storage.run('request-2', () =>
      tasks.add(async () => {
        await flush()
        seen.push(storage.getStore())
      }),
    )
    await storage.run('shutdown', () => tasks.run())
    expect(seen).toEqual(['request-1', 'request-2'])
  })

  it('never lets a task failure become an unhandled rejection', async () => {
    const tasks = new BackgroundTasks({ onError: () => {} })
    tasks.add(() => Promise.reject(new Error('rejected')))
    tasks.add(() => {
      throw new Error('thrown')
    })
    void tasks.run()
    expect(await unhandled.reported()).toEqual([])
  })

  it('skips the tasks not yet started once the run signal aborts, and finishes the running one', async () => {
    const controller = new AbortController()
    const tasks = new BackgroundTasks()
    const ran: string[] = []
    tasks.add(async function first() {
      ran.push('first:start')
      controller.abort()
      await flush()
      ran.push('first:end')
    })
    tasks.add(function second() {
      ran.push('second')
    })
    tasks.add(function third() {
      ran.push('third')
    })
    expect(await tasks.run({ signal: controller.signal })).toEqual({
      succeeded: 1,
      failed: 0,
      skipped: 2,
    })
    expect(ran).toEqual(['first:start', 'first:end'])
  })

  it('runs nothing with an already aborted signal and rejects a signal that is not one', async () => {
    const tasks = new BackgroundTasks()
    tasks.add(() => {
      throw new Error('must not run')
    })
    expect(await tasks.run({ signal: AbortSignal.abort() })).toEqual({
      succeeded: 0,
      failed: 0,
      skipped: 1,
    })
    const other = new BackgroundTasks()
    await expect(other.run({ signal: 'stop' as unknown as AbortSignal })).rejects.toThrow(
      /signal must be an AbortSignal, got "stop"/,
    )
  })
})

describe('BackgroundTasks: adopting results and checking options', () => {
  it('adopts a thenable a task returns once: then is read and called exactly once', async () => {
    const onError = vi.fn()
    const tasks = new BackgroundTasks({ onError })
    const fulfilled = countingThenable({ value: 'done' })
    const failure = new Error('query failed')
    const rejected = countingThenable<never>({ error: failure })
    tasks.add(() => fulfilled.thenable)
    tasks.add(() => rejected.thenable)
    expect(await tasks.run()).toEqual({ succeeded: 1, failed: 1, skipped: 0 })
    expect(fulfilled.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
    expect(rejected.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
    expect(onError).toHaveBeenCalledWith(failure, { name: 'anonymous', position: 1 })
  })

  it('adopts a thenable onError returns once, with both callbacks, and logs nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const report = countingThenable({ value: undefined })
    const tasks = new BackgroundTasks({ onError: () => report.thenable })
    tasks.add(() => {
      throw new Error('task failed')
    })
    await tasks.run()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(report.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
    expect(log).not.toHaveBeenCalled()
  })

  it('refuses a misspelled option in the constructor and in run(), naming it and the closest name', async () => {
    const error = thrownBy(() => new BackgroundTasks({ onErorr: () => {} } as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'onErorr' })
    expect(String(error)).toMatch(/Unknown option "onErorr".*did you mean "onError"/)
    expect(() => new BackgroundTasks('log' as never)).toThrow(TypeError)

    const tasks = new BackgroundTasks()
    const task = vi.fn()
    tasks.add(task)
    await expect(tasks.run({ sigal: AbortSignal.abort() } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'sigal',
      message: expect.stringMatching(/did you mean "signal"/),
    })
    // a refused run() starts nothing and leaves the tasks to a correct call
    expect(task).not.toHaveBeenCalled()
    expect(await tasks.run()).toEqual({ succeeded: 1, failed: 0, skipped: 0 })
  })
})
