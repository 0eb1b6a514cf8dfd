import { describe, expect, it } from 'vitest'
import * as sharedErrors from '../shared-errors.js'
import { ClosedError, LoopworkError, TimeoutError, UnsupportedRuntimeError } from '../src/index.js'

/** A package error written the way the packages write theirs. */
class JobGoneError extends LoopworkError {
  static override readonly code = 'LOOPWORK_JOB_GONE'

  /** The job's id. */
  declare readonly jobId: string
  /** How many attempts ran. */
  declare readonly attempts: number

  constructor(jobId: string, attempts: number, options?: ErrorOptions) {
    super(`job ${jobId} is gone`, { ...options, name: 'JobGoneError' }, { jobId, attempts })
  }
}

describe('the LoopworkError constructor', () => {
  it('sets the name and the declared fields of a subclass, which nothing resets after super()', () => {
    const error = new JobGoneError('7', 3)
    expect(error).toBeInstanceOf(JobGoneError)
    expect(error).toBeInstanceOf(LoopworkError)
    expect(error).toMatchObject({
      name: 'JobGoneError',
      code: 'LOOPWORK_JOB_GONE',
      message: 'job 7 is gone',
      jobId: '7',
      attempts: 3,
    })
    expect(Object.keys(error)).toEqual(['code', 'name', 'jobId', 'attempts'])
    expect(String(error)).toBe('JobGoneError: job 7 is gone')
  })

  it('gives an error a cause only when one is passed, as Error does', () => {
    expect('cause' in new JobGoneError('7', 1)).toBe(false)
    expect(Object.hasOwn(new JobGoneError('7', 1, { cause: undefined }), 'cause')).toBe(true)
    const reason = new Error('disk')
    expect(new JobGoneError('7', 1, { cause: reason }).cause).toBe(reason)
    expect(new TimeoutError('slow', 5, { cause: reason })).toMatchObject({
      name: 'TimeoutError',
      cause: reason,
      timeoutMs: 5,
    })
    expect('cause' in new TimeoutError('slow', 5)).toBe(false)
  })

  it('takes the code from the static code of the class being constructed', () => {
    expect(new JobGoneError('7', 1).code).toBe(JobGoneError.code)
    expect(new ClosedError('closed').code).toBe('LOOPWORK_CLOSED')
    // A subclass without a code of its own carries the code of the class it extends.
    class JobGoneLateError extends JobGoneError {}
    const late = new JobGoneLateError('7', 1)
    expect(late.code).toBe('LOOPWORK_JOB_GONE')
    expect(late).toBeInstanceOf(JobGoneError)
  })

  it('gives LOOPWORK_ERROR to an error whose class has no code, the base itself included', () => {
    expect(new LoopworkError('x').code).toBe('LOOPWORK_ERROR')
    class PackageError extends LoopworkError {}
    const error = new PackageError('x', { name: 'PackageError' })
    expect(error).toMatchObject({ name: 'PackageError', code: 'LOOPWORK_ERROR', message: 'x' })
    // The base class keeps no code, so instanceof still means "any loopwork error".
    expect(LoopworkError.code).toBeUndefined()
    expect(new ClosedError('closed')).toBeInstanceOf(LoopworkError)
  })

  it('names an error LoopworkError when no name is given', () => {
    const error = new LoopworkError('x')
    expect(error.name).toBe('LoopworkError')
    expect(Object.keys(error)).toEqual(['code', 'name'])
    expect(new ClosedError('closed').name).toBe('ClosedError')
    expect(new UnsupportedRuntimeError('no threads', 'workerd', 'worker_threads')).toMatchObject({
      name: 'UnsupportedRuntimeError',
      runtime: 'workerd',
      feature: 'worker_threads',
    })
  })
})

describe('the shared-errors module', () => {
  it('exports the base, its guard and the four shared classes, nothing else', () => {
    expect(Object.keys(sharedErrors).sort()).toEqual([
      'AbortError',
      'ClosedError',
      'LoopworkError',
      'QueueFullError',
      'TimeoutError',
      'isLoopworkError',
    ])
  })
})
