// RedisCapacityLimiter against redis-semaphore on the same Redis, in the same run, rounds
// interleaved: uncontended acquire + release round trips (awaiting both, and through run(), whose
// release is not awaited by the caller), contended acquisitions (more callers than tokens, spread
// over several connections; with a trivial and with a 2 ms critical section), Redis commands per
// contended acquisition, and how long a waiter takes to wake up once a token is released.
// REDIS_URL picks the Redis (default 127.0.0.1:6379); every key lives under a fresh prefix.
import { randomUUID } from 'node:crypto'
import { RedisCapacityLimiter } from '@loopwork/limiter/redis'
import { Redis } from 'ioredis'
import { Semaphore } from 'redis-semaphore'
import { type BenchCase, compare, perSecond, writeResults } from '../../../scripts/bench-kit.js'

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `loopwork-bench:limiter:${randomUUID()}:`
const pairs = Number(process.env.BENCH_PAIRS ?? 1_000)
const acquisitions = Number(process.env.BENCH_ACQUISITIONS ?? 1_000)
const wakeSamples = Number(process.env.BENCH_WAKE_SAMPLES ?? 200)
const instances = 4
const loopsPerInstance = 8
const tokens = 4

const clients: Redis[] = []
function client(): Redis {
  const redis = new Redis(url)
  clients.push(redis)
  return redis
}

// Every command any connection sends, counted (the hand-over connections included).
let commands = 0
const send = Redis.prototype.sendCommand
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<typeof send>) {
  commands++
  return send.apply(this, args)
} as typeof send

let round = 0
function ours(totalTokens: number): RedisCapacityLimiter[] {
  const name = `bench-${++round}`
  return Array.from(
    { length: instances },
    () => new RedisCapacityLimiter({ redis: client(), name, keyPrefix: prefix, totalTokens }),
  )
}

interface Contender {
  /** One acquire + release on an idle limit, each awaited. */
  pair(): Promise<void>
  /** One call of a function under the limit, the way each library's README runs work. */
  call(): Promise<void>
  /** One acquisition on instance `index`, held for `work` (an event-loop turn or a timer). */
  contended(index: number, work: () => Promise<unknown>): Promise<void>
  close(): Promise<void>
}

const turn = () => new Promise((resolve) => setImmediate(resolve))
const twoMs = () => new Promise((resolve) => setTimeout(resolve, 2))
const nothing = () => undefined

function ourContender(totalTokens: number): Contender {
  const limiters = ours(totalTokens)
  return {
    async pair() {
      const lease = await limiters[0]!.acquire()
      await lease.release()
    },
    async call() {
      await limiters[0]!.run(nothing)
    },
    async contended(index, work) {
      const lease = await limiters[index]!.acquire()
      await work()
      await lease.release()
    },
    async close() {
      await Promise.all(limiters.map((limiter) => limiter.close()))
    },
  }
}

function anchorContender(totalTokens: number): Contender {
  const key = `${prefix}semaphore-${++round}`
  const connections = Array.from({ length: instances }, () => client())
  // redis-semaphore's defaults: retryInterval 10 ms (polling), lockTimeout 10 s.
  const options = { acquireTimeout: 60_000 }
  return {
    async pair() {
      const semaphore = new Semaphore(connections[0]!, key, totalTokens, options)
      await semaphore.acquire()
      await semaphore.release()
    },
    async call() {
      const semaphore = new Semaphore(connections[0]!, key, totalTokens, options)
      await semaphore.acquire()
      try {
        nothing()
      } finally {
        await semaphore.release()
      }
    },
    async contended(index, work) {
      const semaphore = new Semaphore(connections[index]!, key, totalTokens, options)
      await semaphore.acquire()
      await work()
      await semaphore.release()
    },
    async close() {},
  }
}

async function uncontended(
  make: (tokens: number) => Contender,
  step: (contender: Contender) => Promise<void>,
): Promise<number> {
  const contender = make(tokens)
  await step(contender)
  const started = performance.now()
  for (let index = 0; index < pairs; index++) await step(contender)
  const rate = perSecond(pairs, performance.now() - started)
  await contender.close()
  return rate
}

let commandsPerAcquisition: Record<string, number[]> = {}
async function contended(
  name: string,
  make: (tokens: number) => Contender,
  callers: number,
  work: () => Promise<unknown>,
  count: number,
): Promise<number> {
  const contender = make(tokens)
  let remaining = count
  const loop = async (index: number) => {
    while (remaining > 0) {
      remaining--
      await contender.contended(index, work)
    }
  }
  const sentBefore = commands
  const started = performance.now()
  await Promise.all(Array.from({ length: callers }, (_, caller) => loop(caller % instances)))
  const elapsed = performance.now() - started
  const counted = commandsPerAcquisition[name] ?? []
  counted.push((commands - sentBefore) / count)
  commandsPerAcquisition[name] = counted
  await contender.close()
  return perSecond(count, elapsed)
}

/** Time from a release to the moment the waiting caller (on another connection) holds the token. */
async function wakeLatencies(): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = { '@loopwork/limiter': [], 'redis-semaphore': [] }
  const [holder, waiter] = ours(1)
  const key = `${prefix}semaphore-wake`
  const holderConnection = client()
  const waiterConnection = client()
  for (let index = 0; index < wakeSamples; index++) {
    {
      const lease = await holder!.acquire()
      const waiting = waiter!.acquire()
      // Queued in Redis (its acquire call has answered) before the release.
      while (waiter!.stats().waiting === 0) await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setTimeout(resolve, 2))
      const released = performance.now()
      void lease.release()
      const woken = await waiting
      samples['@loopwork/limiter']!.push(performance.now() - released)
      await woken.release()
    }
    {
      const held = new Semaphore(holderConnection, key, 1, { acquireTimeout: 60_000 })
      await held.acquire()
      const next = new Semaphore(waiterConnection, key, 1, { acquireTimeout: 60_000 })
      const waiting = next.acquire()
      // Released at a random point of the waiter's 10 ms polling cycle.
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10))
      const released = performance.now()
      void held.release()
      await waiting
      samples['redis-semaphore']!.push(performance.now() - released)
      await next.release()
    }
  }
  await holder!.close()
  await waiter!.close()
  return samples
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!
}

const cases: BenchCase[] = []
const ourName = '@loopwork/limiter'
const anchorName = 'redis-semaphore'
function row(label: string, unit: string, higherIsBetter: boolean, values: Record<string, number>) {
  cases.push({
    case: label,
    unit,
    higherIsBetter,
    ours: values[ourName]!,
    anchors: { [anchorName]: values[anchorName]! },
  })
}

row(
  `uncontended: await acquire(), await release() (${pairs} per round)`,
  'pairs/s',
  true,
  await compare({
    [ourName]: () => uncontended(ourContender, (contender) => contender.pair()),
    [anchorName]: () => uncontended(anchorContender, (contender) => contender.pair()),
  }),
)
row(
  `uncontended: run(fn) / acquire, fn, await release (${pairs} per round)`,
  'calls/s',
  true,
  await compare({
    [ourName]: () => uncontended(ourContender, (contender) => contender.call()),
    [anchorName]: () => uncontended(anchorContender, (contender) => contender.call()),
  }),
)

for (const [label, callers, work, count] of [
  ['32 callers, trivial work', instances * loopsPerInstance, turn, acquisitions],
  ['8 callers, 2 ms of work', 8, twoMs, Math.round(acquisitions / 2)],
  ['64 callers, 2 ms of work', 64, twoMs, Math.round(acquisitions / 2)],
] as const) {
  commandsPerAcquisition = {}
  const setting = `${label}, ${tokens} tokens, ${instances} connections`
  row(
    `contended: ${setting}`,
    'acquisitions/s',
    true,
    await compare({
      [ourName]: () => contended(ourName, ourContender, callers, work, count),
      [anchorName]: () => contended(anchorName, anchorContender, callers, work, count),
    }),
  )
  const median = (values: number[]) => percentile(values, 0.5)
  row(`Redis commands per acquisition: ${setting}`, 'commands', false, {
    [ourName]: median(commandsPerAcquisition[ourName]!),
    [anchorName]: median(commandsPerAcquisition[anchorName]!),
  })
}

const wake = await wakeLatencies()
for (const [label, fraction] of [
  ['p50', 0.5],
  ['p99', 0.99],
] as const) {
  cases.push({
    case: `wake-up latency of a waiter on another connection after a release, ${label}`,
    unit: 'ms',
    higherIsBetter: false,
    ours: percentile(wake['@loopwork/limiter']!, fraction),
    anchors: { 'redis-semaphore': percentile(wake['redis-semaphore']!, fraction) },
  })
}

writeResults('limiter-redis', cases)

const admin = client()
let cursor = '0'
do {
  const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
  cursor = next
  if (keys.length > 0) await admin.unlink(...keys)
} while (cursor !== '0')
for (const connection of clients) connection.disconnect()
