import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { AbortError, CapacityLimiter, TimeoutError } from '../src/index.js'

function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

describe('stress', () => {
  it('100k tasks with random aborts, timeouts, throws and resizes keep every invariant', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 16, maxWaiting: Number.POSITIVE_INFINITY })
    let running = 0
    let peak = 0
    let outcomes = 0
    const controllers: AbortController[] = []
    const all: Promise<unknown>[] = []
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let index = 0; index < 100_000; index++) {
      const roll = random()
      const controller = roll < 0.05 ? new AbortController() : undefined
      if (controller) controllers.push(controller)
      const options = controller
        ? { signal: controller.signal }
        : roll < 0.07
          ? { timeoutMs: 0 }
          : undefined
      const promise = limiter.run(async () => {
        running++
        peak = Math.max(peak, running)
        if (running > limiter.borrowedTokens) throw new Error('ran without a token')
        await null
        running--
        if (roll > 0.97) throw new Error('task failure')
        return index
      }, options)
      all.push(
        promise.then(
          () => outcomes++,
          (error: Error) => {
            if (
              !(error instanceof AbortError || error instanceof TimeoutError) &&
              error.message !== 'task failure'
            ) {
              throw error
            }
            outcomes++
          },
        ),
      )
      if (index % 10_000 === 0) limiter.totalTokens = 4 + (index % 30_000) / 1_000
      if (index % 997 === 0) for (const pending of controllers.splice(0)) pending.abort()
    }
    for (const pending of controllers.splice(0)) pending.abort()
    await Promise.all(all)
    expect(outcomes).toBe(100_000)
    expect(peak).toBeLessThanOrEqual(36)
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.waiting).toBe(0)
    const stats = limiter.stats()
    expect(stats.acquired + stats.aborted + stats.timedOut).toBe(100_000)
  })

  it('a million run() calls leave no heap growth', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 40, maxWaiting: Number.POSITIVE_INFINITY })
    const round = async () => {
      const batch: Promise<number>[] = []
      for (let index = 0; index < 100_000; index++) batch.push(limiter.run(async () => index))
      await Promise.all(batch)
    }
    await round()
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    for (let index = 0; index < 10; index++) await round()
    collectGarbage()
    const growth = process.memoryUsage().heapUsed - before
    expect(growth).toBeLessThan(4 * 1024 * 1024)
    expect(limiter.borrowedTokens).toBe(0)
  })
})
