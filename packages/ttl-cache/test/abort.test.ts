import { describe, expect, it } from 'vitest'
import { AbortError, TtlCache } from '../src/index.js'
import { deferred, flush, rejectionOf } from './deferred.js'

describe("a caller's signal aborts only its own wait", () => {
  it('the aborted caller rejects at once; the load keeps running for the others and its signal stays quiet', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const gate = deferred<string>()
    let loaderSignal: AbortSignal | undefined
    const loader = ({ signal }: { signal: AbortSignal }) => {
      loaderSignal = signal
      return gate.promise
    }
    const controller = new AbortController()
    const leaving = cache.getOrLoad('k', loader, { signal: controller.signal })
    const staying = cache.getOrLoad('k', loader)
    controller.abort(new Error('client went away'))
    const error = await rejectionOf(leaving)
    expect(error).toBeInstanceOf(AbortError)
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' })
    expect((error as Error).cause).toEqual(new Error('client went away'))
    expect(loaderSignal?.aborted).toBe(false)
    gate.resolve('value')
    await expect(staying).resolves.toBe('value')
    expect(loaderSignal?.aborted).toBe(false)
    expect(cache.get('k')).toBe('value')
  })

  it("the loader's signal fires only when every waiting caller has left, and the next caller starts a new load", async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const signals: AbortSignal[] = []
    const gates = [deferred<string>(), deferred<string>()]
    const loader = ({ signal }: { signal: AbortSignal }) => {
      signals.push(signal)
      return gates[signals.length - 1]!.promise
    }
    const first = new AbortController()
    const second = new AbortController()
    const a = cache.getOrLoad('k', loader, { signal: first.signal })
    const b = cache.getOrLoad('k', loader, { signal: second.signal })
    first.abort()
    expect(signals[0]!.aborted).toBe(false)
    second.abort()
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBeInstanceOf(AbortError)
    await expect(a).rejects.toBeInstanceOf(AbortError)
    await expect(b).rejects.toBeInstanceOf(AbortError)
    // Nobody waits; the abandoned loader still runs until it settles, but no longer for the key.
    expect(cache.stats()).toMatchObject({ waiting: 0, running: 1 })
    const next = cache.getOrLoad('k', loader)
    expect(signals).toHaveLength(2)
    gates[1]!.resolve('fresh')
    await expect(next).resolves.toBe('fresh')
    // The abandoned load's late value is not stored over the fresh one, and its failure is not counted.
    gates[0]!.reject(new Error('aborted by signal'))
    await flush()
    expect(cache.get('k')).toBe('fresh')
    expect(cache.stats()).toMatchObject({ loadErrors: 0, waiting: 0, running: 0 })
  })

  it('an already aborted signal rejects without starting a load', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    let calls = 0
    const error = await rejectionOf(
      cache.getOrLoad(
        'k',
        () => {
          calls++
          return 'v'
        },
        { signal: AbortSignal.abort('gone') },
      ),
    )
    expect(error).toBeInstanceOf(AbortError)
    expect((error as Error).cause).toBe('gone')
    expect(calls).toBe(0)
  })

  it('a hit is answered even with an aborted signal, and a settled wait removes its abort listener', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const controller = new AbortController()
    await expect(
      cache.getOrLoad('k', async () => 'v', { signal: controller.signal }),
    ).resolves.toBe('v')
    controller.abort()
    await expect(cache.getOrLoad('k', () => 'other', { signal: controller.signal })).resolves.toBe(
      'v',
    )
  })

  it('a caller without a signal keeps the load alive after others abort', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const gate = deferred<string>()
    let signal: AbortSignal | undefined
    const plain = cache.getOrLoad('k', (context) => {
      signal = context.signal
      return gate.promise
    })
    const controller = new AbortController()
    const aborting = cache.getOrLoad('k', () => 'unused', { signal: controller.signal })
    controller.abort()
    await expect(aborting).rejects.toBeInstanceOf(AbortError)
    expect(signal?.aborted).toBe(false)
    gate.resolve('v')
    await expect(plain).resolves.toBe('v')
  })
})
