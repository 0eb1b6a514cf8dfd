import { describe, expect, it } from 'vitest'
import {
  AbortError,
  PoolClosedError,
  PoolQueueFullError,
  TaskTimeoutError,
  ThreadOffloadError,
  UnknownTaskError,
  WorkerCrashedError,
  WorkerStartupError,
} from '../src/index.js'

describe('errors', () => {
  it.each([
    [
      new UnknownTaskError('fib', ['add'], 'file:///tasks.js'),
      'UnknownTaskError',
      'LOOPWORK_OFFLOAD_UNKNOWN_TASK',
    ],
    [
      new WorkerCrashedError('fib', 3, 1, new Error('boom')),
      'WorkerCrashedError',
      'LOOPWORK_OFFLOAD_WORKER_CRASHED',
    ],
    [
      new WorkerStartupError('file:///tasks.js', new Error('bad')),
      'WorkerStartupError',
      'LOOPWORK_OFFLOAD_WORKER_STARTUP',
    ],
    [new TaskTimeoutError('fib', 100), 'TaskTimeoutError', 'LOOPWORK_OFFLOAD_TASK_TIMEOUT'],
    [new PoolQueueFullError('tasks', 10), 'PoolQueueFullError', 'LOOPWORK_OFFLOAD_QUEUE_FULL'],
    [new AbortError('fib', 'reason'), 'AbortError', 'ABORT_ERR'],
    [new PoolClosedError('tasks', 'closed'), 'PoolClosedError', 'LOOPWORK_OFFLOAD_POOL_CLOSED'],
  ])('%s has its name and a stable code', (error, name, code) => {
    expect(error).toBeInstanceOf(ThreadOffloadError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe(name)
    expect(error.code).toBe(code)
    expect(String(error)).toContain(name)
  })

  it('carry their causes and details', () => {
    const boom = new Error('boom')
    const crashed = new WorkerCrashedError('fib', 3, 7, boom)
    expect(crashed).toMatchObject({ cause: boom, exitCode: 7, threadId: 3 })
    expect(crashed.message).toBe('The worker thread 3 running task "fib" died (exit code 7): boom')
    expect(new AbortError('fib', 'gone').cause).toBe('gone')
    expect(new WorkerStartupError('file:///t.js', boom)).toMatchObject({
      cause: boom,
      module: 'file:///t.js',
    })
    expect(new UnknownTaskError('x', [], 'file:///t.js').message).toBe(
      'Task "x" is not an exported function of file:///t.js; it exports no functions',
    )
  })
})
