// TtlCache against lru-cache 11 on the same work, in one process, rounds interleaved:
// - get on 10,000 resident (hot) keys vs a raw LRUCache.get with `ttl` set;
// - the getOrLoad hit path vs lru-cache's fetch() hit path (both awaited, one at a time);
// - 1,000 concurrent misses on one key: loader calls, and how fast all of them settle;
// - set with eviction (100,000-key space, max 10,000), where TtlCache allocates an entry per set.
import { TtlCache } from '@loopwork/ttl-cache'
import { LRUCache } from 'lru-cache'
import { type BenchCase, compare, perSecond, writeResults } from '../../../scripts/bench-kit.js'

const hotKeys = 10_000
const getOperations = Number(process.env.BENCH_GETS ?? 2_000_000)
const awaitedOperations = Number(process.env.BENCH_AWAITS ?? 300_000)
const stampedeRounds = Number(process.env.BENCH_STAMPEDES ?? 200)
const callersPerStampede = 1_000
const setOperations = Number(process.env.BENCH_SETS ?? 1_000_000)
const ttlMs = 60_000

const keys = Array.from({ length: 10 * hotKeys }, (_, index) => `key:${index}`)
const hotOrder = deterministicOrder(getOperations, hotKeys)
const setOrder = deterministicOrder(setOperations, 10 * hotKeys)

type Value = { readonly key: string }
const values = keys.map((key) => ({ key }))

function deterministicOrder(length: number, range: number): Uint32Array {
  const order = new Uint32Array(length)
  let state = 12345
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    order[index] = state % range
  }
  return order
}

function filledTtlCache(): TtlCache<string, Value> {
  const cache = new TtlCache<string, Value>({ max: hotKeys, ttlMs })
  for (let index = 0; index < hotKeys; index++) cache.set(keys[index]!, values[index]!)
  return cache
}

function filledLruCache(): LRUCache<string, Value> {
  const cache = new LRUCache<string, Value>({
    max: hotKeys,
    ttl: ttlMs,
    fetchMethod: async (key) => ({ key }),
  })
  for (let index = 0; index < hotKeys; index++) cache.set(keys[index]!, values[index]!)
  return cache
}

function measureGets(get: (key: string) => Value | undefined): number {
  let found = 0
  const started = performance.now()
  for (let index = 0; index < getOperations; index++) {
    if (get(keys[hotOrder[index]!]!) !== undefined) found++
  }
  const elapsed = performance.now() - started
  if (found !== getOperations) throw new Error(`expected only hits, got ${found}`)
  return perSecond(getOperations, elapsed)
}

async function measureAwaitedHits(lookup: (key: string) => Promise<Value | undefined>) {
  const started = performance.now()
  for (let index = 0; index < awaitedOperations; index++) {
    const value = await lookup(keys[hotOrder[index]!]!)
    if (value === undefined) throw new Error('expected a hit')
  }
  return perSecond(awaitedOperations, performance.now() - started)
}

/** Runs `stampedeRounds` stampedes of 1,000 concurrent lookups of one fresh key each. */
async function measureStampedes(
  lookup: (key: string, loader: () => Promise<Value>) => Promise<Value | undefined>,
): Promise<{ lookupsPerSecond: number; loaderCallsPerStampede: number }> {
  let loaderCalls = 0
  const loader = (key: string) => () => {
    loaderCalls++
    return new Promise<Value>((resolve) => setImmediate(() => resolve({ key })))
  }
  const pending: Promise<Value | undefined>[] = new Array(callersPerStampede)
  const started = performance.now()
  for (let round = 0; round < stampedeRounds; round++) {
    const key = keys[round]!
    const load = loader(key)
    for (let caller = 0; caller < callersPerStampede; caller++) pending[caller] = lookup(key, load)
    const settled = await Promise.all(pending)
    if (settled[callersPerStampede - 1]?.key !== key) throw new Error('wrong value')
  }
  const elapsed = performance.now() - started
  return {
    lookupsPerSecond: perSecond(stampedeRounds * callersPerStampede, elapsed),
    loaderCallsPerStampede: loaderCalls / stampedeRounds,
  }
}

function measureSets(set: (key: string, value: Value) => void): number {
  const started = performance.now()
  for (let index = 0; index < setOperations; index++) {
    const slot = setOrder[index]!
    set(keys[slot]!, values[slot]!)
  }
  return perSecond(setOperations, performance.now() - started)
}

const cases: BenchCase[] = []

{
  const ours = filledTtlCache()
  const raw = filledLruCache()
  const rates = await compare({
    ours: () => measureGets((key) => ours.get(key)),
    'lru-cache get (ttl set)': () => measureGets((key) => raw.get(key)),
  })
  const { ours: oursRate, ...anchors } = rates
  cases.push({
    case: `get, 10,000 hot keys (100% hits), ${getOperations.toLocaleString('en-US')} ops`,
    unit: 'ops/s',
    higherIsBetter: true,
    ours: oursRate!,
    anchors,
  })
}

{
  const ours = filledTtlCache()
  const raw = filledLruCache()
  const neverCalled = (): Value => {
    throw new Error('a hit must not load')
  }
  const rates = await compare({
    ours: () => measureAwaitedHits((key) => ours.getOrLoad(key, neverCalled)),
    'lru-cache fetch()': () => measureAwaitedHits((key) => raw.fetch(key)),
  })
  const { ours: oursRate, ...anchors } = rates
  cases.push({
    case: `await getOrLoad hit vs await fetch() hit, ${awaitedOperations.toLocaleString('en-US')} sequential`,
    unit: 'ops/s',
    higherIsBetter: true,
    ours: oursRate!,
    anchors,
  })
}

{
  const loaderCalls: Record<string, number> = {}
  const track =
    (
      name: string,
      run: () => Promise<{ lookupsPerSecond: number; loaderCallsPerStampede: number }>,
    ) =>
    async () => {
      const result = await run()
      loaderCalls[name] = result.loaderCallsPerStampede
      return result.lookupsPerSecond
    }
  const rates = await compare({
    ours: track('ours', () => {
      const cache = new TtlCache<string, Value>({ max: hotKeys, ttlMs })
      return measureStampedes((key, loader) => cache.getOrLoad(key, loader))
    }),
    'lru-cache fetch()': track('lru-cache fetch()', () => {
      let current: (() => Promise<Value>) | undefined
      const cache = new LRUCache<string, Value>({
        max: hotKeys,
        ttl: ttlMs,
        fetchMethod: () => current!(),
      })
      return measureStampedes((key, loader) => {
        current = loader
        return cache.fetch(key)
      })
    }),
  })
  const { ours: oursRate, ...anchors } = rates
  cases.push({
    case: '1,000 concurrent misses on one key: lookups settled',
    unit: 'lookups/s',
    higherIsBetter: true,
    ours: oursRate!,
    anchors,
  })
  const { ours: oursCalls, ...anchorCalls } = loaderCalls
  cases.push({
    case: '1,000 concurrent misses on one key: loader calls per stampede',
    unit: 'calls',
    higherIsBetter: false,
    ours: oursCalls!,
    anchors: anchorCalls,
  })
}

{
  const rates = await compare({
    ours: () => {
      const cache = new TtlCache<string, Value>({ max: hotKeys, ttlMs })
      return measureSets((key, value) => cache.set(key, value))
    },
    'lru-cache set (ttl set)': () => {
      const cache = new LRUCache<string, Value>({ max: hotKeys, ttl: ttlMs })
      return measureSets((key, value) => cache.set(key, value))
    },
  })
  const { ours: oursRate, ...anchors } = rates
  cases.push({
    case: `set with eviction, 100,000-key space, max 10,000, ${setOperations.toLocaleString('en-US')} ops`,
    unit: 'ops/s',
    higherIsBetter: true,
    ours: oursRate!,
    anchors,
  })
}

writeResults('ttl-cache', cases)
