// What a second installed copy of a loopwork package throws: an error branded as loopwork's (the
// brand is a `Symbol.for`, the same in every copy) with a shared code, but not created by the
// classes this copy of the adapters can see, so only a check by code recognises it.

import type { WorkerPool } from '@loopwork/thread-offload'
import type { AdmissionLimiter } from '../../src/types.js'

export function errorFromAnotherCopy(code: string, message = `${code} from another copy`): Error {
  const error = Object.assign(new Error(message), { code })
  Object.defineProperty(error, Symbol.for('loopwork.error'), { value: true })
  return error
}

/** A limiter of another copy whose every token is taken and whose wait fails with `code`. */
export function saturatedLimiterOfAnotherCopy(code: string): AdmissionLimiter {
  const limiter = {
    tryAcquire: () => undefined,
    acquire: () => Promise.reject(errorFromAnotherCopy(code)),
  }
  return limiter
}

/** A worker pool of another copy whose every call fails with `code`. */
export function failingPoolOfAnotherCopy(code: string): WorkerPool<any> {
  const pool = { run: () => Promise.reject(errorFromAnotherCopy(code)) }
  return pool as unknown as WorkerPool<any>
}
