/** Resolves `true` if `timeoutMs` passed before `work` settled, `false` otherwise; never rejects. */
export function deadlinePassed(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (timeoutMs === Number.POSITIVE_INFINITY)
    return work.then(
      () => false,
      () => false,
    )
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), timeoutMs)
    work.then(
      () => {
        clearTimeout(timer)
        resolve(false)
      },
      () => {
        clearTimeout(timer)
        resolve(false)
      },
    )
  })
}
