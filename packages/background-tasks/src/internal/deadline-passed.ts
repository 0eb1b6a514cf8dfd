import { startTimer } from '@loopwork/internal'

/**
 * Resolves `true` if `timeoutMs` passed before `work` settled, `false` otherwise; never rejects.
 * `Infinity` waits for `work` without a timer.
 */
export function deadlinePassed(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = startTimer(() => resolve(true), timeoutMs)
    const settled = () => {
      clearTimeout(timer)
      resolve(false)
    }
    work.then(settled, settled)
  })
}
