import {
  AbortError as SharedAbortError,
  LoopworkError as SharedLoopworkError,
} from '@loopwork/internal'
import { describe, expect, it } from 'vitest'
import {
  AbortError,
  ClosedError,
  LoopworkError,
  QueueFullError,
  TimeoutError,
  UncloneableValueError,
  UnknownTaskError,
  WorkerCrashedError,
  WorkerStartupError,
} from '../src/index.js'

describe('errors', () => {
  it.each([
    [
      new UnknownTaskError('fib', ['add'], 'file:///tasks.js'),
      'UnknownTaskError',
      'LOOPWORK_UNKNOWN_TASK',
    ],
    [
      new WorkerCrashedError('fib', 3, 1, new Error('boom')),
      'WorkerCrashedError',
      'LOOPWORK_WORKER_CRASHED',
    ],
    [
      new WorkerStartupError('file:///tasks.js', new Error('bad')),
      'WorkerStartupError',
      'LOOPWORK_WORKER_STARTUP',
    ],
    [
      new UncloneableValueError('fib', 'result', 'result', 'a function', new Error('no')),
      'UncloneableValueError',
      'LOOPWORK_UNCLONEABLE',
    ],
    [new TimeoutError('too slow', 100), 'TimeoutError', 'LOOPWORK_TIMEOUT'],
    [new QueueFullError('full', 'maxWaiting', 10), 'QueueFullError', 'LOOPWORK_QUEUE_FULL'],
    [new AbortError('aborted', 'reason'), 'AbortError', 'ABORT_ERR'],
    [new ClosedError('closed'), 'ClosedError', 'LOOPWORK_CLOSED'],
  ])('%s has its name and a stable code', (error, name, code) => {
    expect(error).toBeInstanceOf(LoopworkError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe(name)
    expect(error.code).toBe(code)
    expect(String(error)).toContain(name)
  })

  it('are the shared classes, so errors of any loopwork package match', () => {
    expect(AbortError).toBe(SharedAbortError)
    expect(LoopworkError).toBe(SharedLoopworkError)
    expect(new WorkerCrashedError('fib', 3, 1, undefined)).not.toBeInstanceOf(WorkerStartupError)
    expect(new UnknownTaskError('x', [], 'file:///t.js')).not.toBeInstanceOf(WorkerCrashedError)
  })

  it('carry their causes and details', () => {
    const boom = new Error('boom')
    const crashed = new WorkerCrashedError('fib', 3, 7, boom)
    expect(crashed).toMatchObject({ cause: boom, exitCode: 7, threadId: 3 })
    expect(crashed.message).toBe('The worker thread 3 running task "fib" died (exit code 7): boom')
    expect(new AbortError('aborted', 'gone').cause).toBe('gone')
    expect(new WorkerStartupError('file:///t.js', boom)).toMatchObject({
      cause: boom,
      module: 'file:///t.js',
    })
    expect(new UnknownTaskError('x', [], 'file:///t.js').message).toBe(
      'Task "x" is not an exported function of file:///t.js; it exports no functions',
    )
  })
})
