import { afterAll, describe, expect, it } from 'vitest'
import { UncloneableValueError, WorkerPool } from '../src/index.js'
import { rejectionOf, type Tasks, tasksModule } from './pool-fixtures.js'

const pool = new WorkerPool<Tasks>({ module: tasksModule, maxThreads: 1 })
afterAll(() => pool.destroy())

describe('transfer', () => {
  it('moves an ArrayBuffer to the thread: the sender is detached', async () => {
    const bytes = new Uint8Array(1 << 20).fill(7)
    await expect(pool.run('byteLength', [bytes], { transfer: [bytes.buffer] })).resolves.toBe(
      1 << 20,
    )
    expect(bytes.buffer.byteLength).toBe(0)
    expect(bytes.byteLength).toBe(0)
  })

  it('copies without transfer: the sender keeps its buffer', async () => {
    const bytes = new Uint8Array(1024)
    await expect(pool.run('byteLength', [bytes])).resolves.toBe(1024)
    expect(bytes.byteLength).toBe(1024)
  })

  it('moves several buffers of calls that travel together', async () => {
    const buffers = Array.from({ length: 5 }, (_, index) => new Uint8Array(100 + index))
    const results = await Promise.all(
      buffers.map((bytes) => pool.run('byteLength', [bytes], { transfer: [bytes.buffer] })),
    )
    expect(results).toEqual([100, 101, 102, 103, 104])
    expect(buffers.every((bytes) => bytes.byteLength === 0)).toBe(true)
  })

  it('fails only the call whose transfer list is invalid', async () => {
    const detached = new Uint8Array(8)
    structuredClone(detached.buffer, { transfer: [detached.buffer] })
    const good = new Uint8Array(16)
    const calls = [
      pool.run('byteLength', [good], { transfer: [good.buffer] }),
      pool.run('byteLength', [detached], { transfer: [detached.buffer] }),
      pool.run('add', [1, 2]),
    ]
    const [first, second, third] = await Promise.allSettled(calls)
    expect(first).toEqual({ status: 'fulfilled', value: 16 })
    expect(second!.status).toBe('rejected')
    const error = (second as PromiseRejectedResult).reason
    expect(error).toBeInstanceOf(UncloneableValueError)
    expect(error).toMatchObject({ taskName: 'byteLength', part: 'arguments', path: 'args[0]' })
    expect(error.message).toContain(
      'The arguments of task "byteLength" cannot be copied to a worker thread: args[0] is a Uint8Array, which structured clone cannot copy (',
    )
    expect(error.cause.name).toBe('DataCloneError')
    expect(third).toEqual({ status: 'fulfilled', value: 3 })
  })

  it('fails only the call whose transfer list cannot be used, saying so', async () => {
    const bytes = new Uint8Array(8)
    const calls = [
      pool.run('byteLength', [bytes], { transfer: [bytes.buffer, bytes.buffer] }),
      pool.run('add', [1, 2]),
    ]
    const [bad, good] = await Promise.allSettled(calls)
    const error = (bad as PromiseRejectedResult).reason
    expect(error).toBeInstanceOf(UncloneableValueError)
    expect(error).toMatchObject({ taskName: 'byteLength', part: 'transfer', path: undefined })
    expect(error.message).toBe(
      'The transfer list of task "byteLength" cannot be used: Transfer list contains duplicate ArrayBuffer',
    )
    expect(good).toEqual({ status: 'fulfilled', value: 3 })
  })

  it('fails only the call whose arguments cannot be cloned', async () => {
    const calls = [pool.run('echo', [() => 1]), pool.run('echo', ['fine'])]
    const [bad, good] = await Promise.allSettled(calls)
    const error = (bad as PromiseRejectedResult).reason
    expect(error).toBeInstanceOf(UncloneableValueError)
    expect(error).toMatchObject({ taskName: 'echo', part: 'arguments', path: 'args[0]' })
    expect(error.message).toContain(
      'The arguments of task "echo" cannot be copied to a worker thread: args[0] is a function',
    )
    expect(error.cause.name).toBe('DataCloneError')
    expect(good).toEqual({ status: 'fulfilled', value: 'fine' })
    const nested = await rejectionOf(
      pool.run('echo', [{ user: { id: 1, tags: new Set(['a', Symbol('no')]) } }]),
    )
    expect(nested.path).toBe('args[0].user.tags.values()[1]')
    expect(nested.message).toContain('args[0].user.tags.values()[1] is Symbol(no)')
    expect(pool.stats().crashed).toBe(0)
  })

  it('rejects a transfer option that is not an array', async () => {
    const error = await rejectionOf(pool.run('add', [1, 2], { transfer: 'buffer' as never }))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('transfer must be an array of transferable objects, got "buffer"')
  })
})
