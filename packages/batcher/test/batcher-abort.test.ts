import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AbortError, Batcher, isLoopworkError, LoopworkError } from '../src/index.js'
import { flush } from './deferred.js'
import { heldBatchFunction, recordingBatchFunction } from './recording-batch-function.js'

describe('abort', () => {
  it('rejects at once, queueing nothing, when the signal is already aborted', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0, name: 'users' })
    const reason = new Error('client went away')
    const error = (await users
      .load(1, { signal: AbortSignal.abort(reason) })
      .catch((caught: unknown) => caught)) as AbortError
    expect(error).toBeInstanceOf(AbortError)
    expect(error).toBeInstanceOf(LoopworkError)
    expect(isLoopworkError(error, 'ABORT_ERR')).toBe(true)
    expect(error.name).toBe('AbortError')
    expect(error.code).toBe('ABORT_ERR')
    expect(error.cause).toBe(reason)
    expect(error.message).toMatch(/batcher "users" was aborted/)
    await flush()
    expect(calls).toHaveLength(0)
    expect(users.stats()).toMatchObject({ abortedLoads: 1, waiting: 0 })
  })

  it('removes a load aborted before dispatch from its batch', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const controller = new AbortController()
    const aborted = users.load(2, { signal: controller.signal })
    const kept = [users.load(1), users.load(3)]
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(await Promise.all(kept)).toEqual([1, 3])
    expect(calls.map((call) => call.keys)).toEqual([[1, 3]])
    expect(users.stats()).toMatchObject({ keys: 2, abortedLoads: 1 })
  })

  it('keeps a key in the batch while another caller still waits for it', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const first = new AbortController()
    const aborted = users.load(1, { signal: first.signal })
    const withSignal = users.load(1, { signal: new AbortController().signal })
    const withoutSignal = users.load(1)
    first.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(await Promise.all([withSignal, withoutSignal])).toEqual([1, 1])
    expect(calls.map((call) => call.keys)).toEqual([[1]])
  })

  it('a caller without a signal joining a signalled key keeps it when the signalled caller aborts', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const controller = new AbortController()
    const aborted = users.load(5, { signal: controller.signal })
    const joined = users.load(5)
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(await joined).toBe(5)
    expect(calls.map((call) => call.keys)).toEqual([[5]])
  })

  it('a key re-asked after every caller aborted goes to the batch again', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const controller = new AbortController()
    const aborted = users.load(1, { signal: controller.signal })
    const other = users.load(2)
    controller.abort()
    const again = users.load(1)
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(await Promise.all([other, again])).toEqual([2, 1])
    expect(calls.map((call) => call.keys)).toEqual([[2, 1]])
  })

  it('after dispatch, rejects only the aborting caller while the batch goes on for the others', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key * 10)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const controller = new AbortController()
    const aborted = users.load(1, { signal: controller.signal })
    const other = users.load(2, { signal: new AbortController().signal })
    await flush()
    expect(calls).toHaveLength(1)
    controller.abort('gone')
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError', cause: 'gone' })
    expect(calls[0]!.context.signal.aborted).toBe(false)
    calls[0]!.release()
    expect(await other).toBe(20)
  })

  it("fires the batch function's signal when every caller of the batch has aborted", async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const first = new AbortController()
    const second = new AbortController()
    const loads = [
      users.load(1, { signal: first.signal }),
      users.load(2, { signal: second.signal }),
      users.load(2, { signal: second.signal }),
    ]
    await flush()
    const signal = calls[0]!.context.signal
    first.abort()
    expect(signal.aborted).toBe(false)
    second.abort()
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBeInstanceOf(AbortError)
    for (const load of loads) await expect(load).rejects.toBeInstanceOf(AbortError)
    calls[0]!.release()
  })

  it('creates the batch signal already aborted when the function reads it after every caller aborted', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const controller = new AbortController()
    const load = users.load(1, { signal: controller.signal })
    await flush()
    controller.abort()
    await expect(load).rejects.toBeInstanceOf(AbortError)
    expect(calls[0]!.context.signal.aborted).toBe(true)
  })

  it('never fires the batch signal while a caller without a signal waits', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const controller = new AbortController()
    const aborted = users.load(1, { signal: controller.signal })
    const kept = users.load(2)
    await flush()
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(calls[0]!.context.signal.aborted).toBe(false)
    calls[0]!.release()
    expect(await kept).toBe(2)
  })

  it('removes its abort listener once the batch settles, so long-lived signals collect none', async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 0 })
    const requestSignal = new AbortController().signal
    for (let round = 0; round < 5; round++) {
      await Promise.all([1, 2, 3].map((key) => users.load(key, { signal: requestSignal })))
    }
    expect(getEventListeners(requestSignal, 'abort')).toHaveLength(0)
  })

  it('an aborted key keeps its place toward maxBatchSize, so aborts cannot grow a batch without bound', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0, maxBatchSize: 4 })
    const controller = new AbortController()
    const first = users.load(0)
    const aborted = [1, 2].map((key) => users.load(key, { signal: controller.signal }))
    controller.abort()
    const kept = [users.load(10), users.load(11)]
    for (const load of aborted) await expect(load).rejects.toBeInstanceOf(AbortError)
    expect(await Promise.all([first, ...kept])).toEqual([0, 10, 11])
    // Positions 0-3 (two of them aborted) filled the first batch; the aborted keys were not sent.
    expect(calls.map((call) => call.keys)).toEqual([[0, 10], [11]])
  })

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers()
    })
    afterEach(() => {
      vi.useRealTimers()
    })

    it('drops a batch whose every caller aborted before dispatch, with its timer', async () => {
      const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
      const users = new Batcher(batchFunction, { windowMs: 10 })
      const controller = new AbortController()
      const loads = [1, 2].map((key) => users.load(key, { signal: controller.signal }))
      expect(vi.getTimerCount()).toBe(1)
      controller.abort()
      expect(vi.getTimerCount()).toBe(0)
      for (const load of loads) await expect(load).rejects.toBeInstanceOf(AbortError)
      await vi.advanceTimersByTimeAsync(20)
      expect(calls).toHaveLength(0)
      expect(users.stats()).toMatchObject({ batches: 0, waiting: 0, abortedLoads: 2 })
    })
  })
})
