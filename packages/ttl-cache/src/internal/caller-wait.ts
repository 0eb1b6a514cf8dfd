import { abortErrorFor } from '@loopwork/internal'

/**
 * One caller's wait for a shared promise that its own signal can cancel: the caller rejects at once
 * with `AbortError` and `onLeave` tells the owner of the shared work, which keeps running for others.
 */
export function waitWithSignal<T>(
  shared: Promise<T>,
  signal: AbortSignal,
  onLeave: () => void,
  description: string,
): Promise<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>()
  const onAbort = (): void => {
    reject(abortErrorFor(`The wait for ${description} was aborted`, signal))
    onLeave()
  }
  signal.addEventListener('abort', onAbort, { once: true })
  shared.then(
    (value) => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    },
    (error: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    },
  )
  return promise
}
