import { afterEach, beforeEach } from 'vitest'

/**
 * Collects every `unhandledRejection` the process sees during each test of the calling file, through
 * a process-level listener, so a test can assert that none happened.
 */
export function watchUnhandledRejections(): { readonly reasons: unknown[] } {
  const seen = { reasons: [] as unknown[] }
  const listener = (reason: unknown) => {
    seen.reasons.push(reason)
  }
  beforeEach(() => {
    seen.reasons.length = 0
    process.on('unhandledRejection', listener)
  })
  afterEach(() => {
    process.off('unhandledRejection', listener)
  })
  return seen
}

/** Gives Node a full turn to report unhandled rejections (it does so after the microtask queue drains). */
export function afterUnhandledRejectionsReported(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10))
}
