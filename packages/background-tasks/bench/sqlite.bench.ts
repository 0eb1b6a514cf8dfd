// The SQLite backend (synchronous FULL and NORMAL) against the BullMQ backend on the local Redis, end
// to end, in one process, rounds interleaved: jobs/s for a backlog of trivial jobs added at once
// (concurrency 1 and 8), and the latency from add() to the job's completion for jobs added one at a
// time on an idle queue (p50, p99 over every round's samples).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TaskQueue as SqliteTaskQueue } from '@loopwork/background-tasks/sqlite'
import {
  type BenchCase,
  collectGarbage,
  compare,
  perSecond,
  rounds,
  writeResults,
} from '../../../scripts/bench-kit.js'
import { openBullMQQueue, type RoundQueue, roundQueue, timeBacklog } from './durable-queue.js'

const jobCount = Number(process.env.BENCH_DURABLE_JOBS ?? 1_000)
const latencySamples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200)

type Handlers = { trivial: (value: number) => number }
const handlers: Handlers = { trivial: (value: number) => value }

type Backend = 'SQLite FULL' | 'SQLite NORMAL' | 'BullMQ'
const backends: Backend[] = ['SQLite FULL', 'SQLite NORMAL', 'BullMQ']

/** A fresh queue of `backend` (its own file, or its own name in Redis) and how to throw it away. */
function openQueue(backend: Backend, concurrency: number): RoundQueue<Handlers> {
  if (backend === 'BullMQ') return openBullMQQueue(handlers, concurrency)
  const folder = mkdtempSync(join(tmpdir(), 'loopwork-bench-'))
  const queue = new SqliteTaskQueue({
    file: join(folder, 'jobs.sqlite'),
    synchronous: backend === 'SQLite FULL' ? 'FULL' : 'NORMAL',
    concurrency,
    maxWaiting: Number.POSITIVE_INFINITY,
    handlers,
  })
  return roundQueue(queue, () => rmSync(folder, { recursive: true, force: true }))
}

/** `jobCount` jobs added at once, until the last one completed: jobs per second. */
async function throughputRound(backend: Backend, concurrency: number): Promise<number> {
  const { queue, dispose } = openQueue(backend, concurrency)
  const elapsed = await timeBacklog(queue, jobCount)
  await dispose()
  return perSecond(jobCount, elapsed)
}

/** Jobs added one at a time on an idle queue: milliseconds from add() to the `complete` event. */
async function latencyRound(backend: Backend): Promise<number[]> {
  const { queue, dispose } = openQueue(backend, 1)
  let completed: (() => void) | undefined
  queue.on('complete', () => completed?.())
  const samples: number[] = []
  for (let index = 0; index < latencySamples + 10; index++) {
    const finished = new Promise<void>((resolve) => {
      completed = resolve
    })
    const started = performance.now()
    await queue.add('trivial', index)
    await finished
    // The first ones warm the connection and the statements up.
    if (index >= 10) samples.push(performance.now() - started)
  }
  await dispose()
  return samples
}

function percentile(sorted: number[], fraction: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!
  return Math.round(value * 100) / 100
}

const cases: BenchCase[] = []
const count = jobCount.toLocaleString('en-US')

for (const concurrency of [1, 8]) {
  const rates = await compare(
    Object.fromEntries(
      backends.map((backend) => [backend, () => throughputRound(backend, concurrency)]),
    ),
  )
  for (const sqlite of ['SQLite FULL', 'SQLite NORMAL'] as const) {
    cases.push({
      case: `TaskQueue (${sqlite.replace('SQLite ', 'SQLite, synchronous ')}): ${count} trivial jobs added at once, end to end, concurrency ${concurrency}`,
      unit: 'jobs/s',
      higherIsBetter: true,
      ours: rates[sqlite]!,
      anchors: { 'BullMQ backend (Redis on loopback)': rates.BullMQ! },
    })
  }
}

const latencies: Record<Backend, number[]> = { 'SQLite FULL': [], 'SQLite NORMAL': [], BullMQ: [] }
await latencyRound('BullMQ')
for (let round = 0; round < rounds; round++) {
  for (const backend of backends) {
    collectGarbage()
    latencies[backend].push(...(await latencyRound(backend)))
  }
}
for (const [label, fraction] of [
  ['p50', 0.5],
  ['p99', 0.99],
] as const) {
  const anchor = percentile(
    latencies.BullMQ.sort((a, b) => a - b),
    fraction,
  )
  for (const sqlite of ['SQLite FULL', 'SQLite NORMAL'] as const) {
    cases.push({
      case: `TaskQueue (${sqlite.replace('SQLite ', 'SQLite, synchronous ')}): add() to completion of one job on an idle queue, ${label}`,
      unit: 'ms',
      higherIsBetter: false,
      ours: percentile(
        latencies[sqlite].sort((a, b) => a - b),
        fraction,
      ),
      anchors: { 'BullMQ backend (Redis on loopback)': anchor },
    })
  }
}

writeResults('background-tasks-sqlite', cases)
