import type { MemoryJob, ResultWaiter } from './memory-job.js'
import { assertOptionalSignal, assertOptionsObject } from './option-validation.js'
import type { ResultOptions } from './task-queue-types.js'

/**
 * Registers a `result()` call on an unfinished in-memory job. The waiter is only created when
 * someone asks, so jobs nobody awaits cost nothing here and can never leave a rejection unhandled.
 */
export function waitForResult(
  job: MemoryJob,
  options: ResultOptions | undefined,
): Promise<unknown> {
  let signal: AbortSignal | undefined
  try {
    assertOptionsObject('options', options)
    signal = assertOptionalSignal('signal', options?.signal)
  } catch (error) {
    return Promise.reject(error)
  }
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const waiter: ResultWaiter = { resolve, reject }
    if (signal !== undefined) {
      const onAbort = () => {
        const waiters = job.extras?.waiters
        waiters?.splice(waiters.indexOf(waiter), 1)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const stopListening = () => signal.removeEventListener('abort', onAbort)
      waiter.resolve = (value) => {
        stopListening()
        resolve(value)
      }
      waiter.reject = (error) => {
        stopListening()
        reject(error)
      }
    }
    const extras = job.extrasOrNew()
    extras.waiters ??= []
    extras.waiters.push(waiter)
  })
}
