import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TtlCache } from '../src/index.js'
import { useFakeClock } from './deferred.js'

describe('expired entries go on read or in one sweep timer', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('one timer sweeps expired entries that nobody reads, and stops once the cache is empty', () => {
    useFakeClock()
    const cache = new TtlCache<string, number>({ max: 100, ttlMs: 1000, sweepIntervalMs: 5000 })
    const expired: string[] = []
    cache.on('evict', ({ key, reason }) => expired.push(`${key}:${reason}`))
    expect(vi.getTimerCount()).toBe(0)
    for (let index = 0; index < 50; index++) cache.set(`k${index}`, index)
    cache.set('long', 1, { ttlMs: 7000 })
    expect(vi.getTimerCount()).toBe(2) // the sweep and the clock's 1 ms reset
    vi.advanceTimersByTime(5000)
    expect(cache.size).toBe(1)
    expect(expired).toHaveLength(50)
    expect(expired).toContain('k0:expired')
    expect(cache.stats().evictions).toBe(50)
    vi.advanceTimersByTime(5000)
    expect(cache.size).toBe(0)
    vi.advanceTimersByTime(1) // the clock forgets its last reading
    expect(vi.getTimerCount()).toBe(0)
    cache.set('again', 1)
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    cache.close()
    vi.advanceTimersByTime(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('entries that never expire arm no timer; sweepIntervalMs 0 turns the sweep off', () => {
    useFakeClock()
    const forever = new TtlCache<string, number>({ max: 10, ttlMs: Number.POSITIVE_INFINITY })
    forever.set('a', 1)
    const noSweep = new TtlCache<string, number>({ max: 10, ttlMs: 10, sweepIntervalMs: 0 })
    noSweep.set('a', 1)
    vi.advanceTimersByTime(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does not use lru-cache autopurge: no timer per entry', () => {
    useFakeClock()
    const cache = new TtlCache<number, number>({ max: 10_000, ttlMs: 1000 })
    for (let index = 0; index < 10_000; index++) cache.set(index, index)
    expect(vi.getTimerCount()).toBeLessThanOrEqual(2)
    cache.close()
  })

  it('the sweep timer does not keep the process alive', async () => {
    const script = fileURLToPath(new URL('./fixtures/sweeping-process.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      ['--conditions=@loopwork/source', '--import', 'tsx', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(output.trim()).toBe('cached 1')
    expect(code).toBe(0)
  })
})
