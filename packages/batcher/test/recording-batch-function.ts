import type { BatchFunctionContext } from '../src/index.js'

/**
 * A batch function that records every call (its keys and its context) and answers each key with
 * `answer(key)` (an `Error` answer rejects only that key).
 */
export function recordingBatchFunction<K, V>(answer: (key: K) => V | Error) {
  const calls: { keys: K[]; context: BatchFunctionContext }[] = []
  const batchFunction = async (keys: readonly K[], context: BatchFunctionContext) => {
    calls.push({ keys: [...keys], context })
    return keys.map(answer)
  }
  return { calls, batchFunction }
}

/** A batch function whose calls stay pending until the test settles them, one by one. */
export function heldBatchFunction<K, V>(answer: (key: K) => V) {
  const calls: {
    keys: K[]
    context: BatchFunctionContext
    release: () => void
    fail: (error: unknown) => void
  }[] = []
  const batchFunction = (keys: readonly K[], context: BatchFunctionContext) =>
    new Promise<V[]>((resolve, reject) => {
      const copy = [...keys]
      calls.push({ keys: copy, context, release: () => resolve(copy.map(answer)), fail: reject })
    })
  return { calls, batchFunction }
}
