import { afterEach, beforeEach } from 'vitest'

/**
 * Collects every `unhandledRejection` the process sees during each test of the calling file, through
 * a process-level listener, so a test can assert that none happened.
 */
export function watchUnhandledRejections(): {
  /**
   * Gives Node a full turn to report unhandled rejections (it does so after the microtask queue
   * drains), then answers every reason reported during the current test.
   */
  reported(): Promise<readonly unknown[]>
} {
  const reasons: unknown[] = []
  const listener = (reason: unknown) => {
    reasons.push(reason)
  }
  beforeEach(() => {
    reasons.length = 0
    process.on('unhandledRejection', listener)
  })
  afterEach(() => {
    process.off('unhandledRejection', listener)
  })
  return {
    async reported() {
      await new Promise((resolve) => setTimeout(resolve, 10))
      return [...reasons]
    },
  }
}
