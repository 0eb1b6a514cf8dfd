import { afterEach, describe, expect, it, vi } from 'vitest'

// Cloudflare Workers drop the pending timers of a request once it has answered. Emulated here by
// telling the cache that timers do not outlive requests (as it detects on workerd) and by checking
// that it then starts none: expiry and sweeping must not wait for a timer an earlier request
// started. test/runtimes/ at the repository root checks the same in workerd itself.
vi.mock('@loopwork/internal', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@loopwork/internal')>()),
  timersOutliveRequests: () => false,
}))

const { TtlCache } = await import('../src/index.js')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

afterEach(() => {
  vi.restoreAllMocks()
})

describe('where timers die with their request (Cloudflare Workers)', () => {
  it('starts no timer, and entries still expire: the clock is read, not cached', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 30, sweepIntervalMs: 20 })
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
    cache.set('a', 'first')
    expect(cache.get('a')).toBe('first')
    expect(await cache.getOrLoad('b', () => 'loaded')).toBe('loaded')
    expect(setTimeoutSpy).not.toHaveBeenCalled()
    expect(setIntervalSpy).not.toHaveBeenCalled()
    vi.restoreAllMocks()
    await sleep(60)
    expect(cache.get('a')).toBeUndefined()
    cache.close()
  })

  it('sweeps from an insert that comes an interval after the last sweep', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 20, sweepIntervalMs: 30 })
    const evicted: string[] = []
    cache.on('evict', ({ key, reason }) => evicted.push(`${key}:${reason}`))
    cache.set('old', 'value')
    await sleep(50)
    // Nothing read "old" since it expired; only the next insert can sweep it.
    expect(cache.size).toBe(1)
    cache.set('new', 'value')
    expect(evicted).toEqual(['old:expired'])
    expect(cache.size).toBe(1)
    cache.set('newer', 'value')
    expect(cache.size).toBe(2)
    cache.close()
  })
})
