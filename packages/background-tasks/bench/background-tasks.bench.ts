// TaskQueue (in memory) against raw p-queue on 100,000 trivial jobs; TaskSupervisor.spawn against
// the bare `promise.catch(report)` pattern; the BullMQ backend end to end at concurrency 1 and 4.
// In one process, rounds interleaved, medians (see scripts/bench-kit).
import { TaskQueue, TaskSupervisor } from '@loopwork/background-tasks'
import PQueue from 'p-queue'
import {
  type BenchCase,
  collectGarbage,
  compare,
  median,
  perSecond,
  writeResults,
} from '../../../scripts/bench-kit.js'

const jobCount = Number(process.env.BENCH_JOBS ?? 100_000)
const durableJobCount = Number(process.env.BENCH_DURABLE_JOBS ?? 2_000)
let ran = 0
// The same trivial job for both contenders; it counts, so every round checks nothing was lost.
const trivial = async (value: number) => {
  ran++
  return value
}
const ignoreError = (_error: unknown) => {}

async function taskQueueRound(concurrency: number): Promise<number> {
  const queue = new TaskQueue({
    concurrency,
    maxWaiting: Number.POSITIVE_INFINITY,
    handlers: { trivial },
  })
  ran = 0
  const started = performance.now()
  for (let index = 0; index < jobCount; index++) void queue.add('trivial', index)
  await queue.onIdle()
  const elapsed = performance.now() - started
  if (ran !== jobCount || queue.stats().completed !== jobCount)
    throw new Error('TaskQueue lost jobs')
  return perSecond(jobCount, elapsed)
}

async function pQueueRound(concurrency: number): Promise<number> {
  const queue = new PQueue({ concurrency })
  ran = 0
  const started = performance.now()
  for (let index = 0; index < jobCount; index++) void queue.add(() => trivial(index))
  await queue.onIdle()
  const elapsed = performance.now() - started
  if (ran !== jobCount) throw new Error('p-queue lost jobs')
  return perSecond(jobCount, elapsed)
}

async function heapPerQueuedJob(enqueue: (count: number) => () => Promise<void>): Promise<number> {
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  const release = enqueue(jobCount)
  const after = process.memoryUsage().heapUsed
  await release()
  return Math.max(0, Math.round((after - before) / jobCount))
}

function pausedTaskQueue(count: number): () => Promise<void> {
  const queue = new TaskQueue({ maxWaiting: Number.POSITIVE_INFINITY, handlers: { trivial } })
  queue.pause()
  for (let index = 0; index < count; index++) void queue.add('trivial', index)
  return () => {
    queue.resume()
    return queue.onIdle()
  }
}

function pausedPQueue(count: number): () => Promise<void> {
  const queue = new PQueue({ concurrency: 40, autoStart: false })
  for (let index = 0; index < count; index++) void queue.add(() => trivial(index))
  return () => {
    queue.start()
    return queue.onIdle()
  }
}

async function supervisorRound(): Promise<number> {
  const supervisor = new TaskSupervisor({
    maxRunning: Number.POSITIVE_INFINITY,
    onError: ignoreError,
  })
  const started = performance.now()
  for (let index = 0; index < jobCount; index++) supervisor.spawn(() => trivial(index))
  await supervisor.drain({ timeoutMs: Number.POSITIVE_INFINITY })
  const elapsed = performance.now() - started
  if (supervisor.stats().succeeded !== jobCount) throw new Error('supervisor lost tasks')
  return perSecond(jobCount, elapsed)
}

async function bareCatchRound(): Promise<number> {
  const pending: Promise<unknown>[] = new Array(jobCount)
  const started = performance.now()
  for (let index = 0; index < jobCount; index++) pending[index] = trivial(index).catch(ignoreError)
  await Promise.all(pending)
  return perSecond(jobCount, performance.now() - started)
}

async function durableRound(concurrency: number): Promise<number> {
  // Loaded only here, after the in-memory cases: BullMQ and ioredis enlarge the heap every garbage
  // collection walks, which would weigh on the in-memory comparison.
  const { openBullMQQueue, timeBacklog } = await import('./durable-queue.js')
  const { queue, dispose } = openBullMQQueue({ trivial }, concurrency)
  const elapsed = await timeBacklog(queue, durableJobCount)
  await dispose()
  return perSecond(durableJobCount, elapsed)
}

const cases: BenchCase[] = []
const count = jobCount.toLocaleString('en-US')

for (const concurrency of [40, 1]) {
  const rates = await compare({
    '@loopwork/background-tasks': () => taskQueueRound(concurrency),
    'p-queue': () => pQueueRound(concurrency),
  })
  cases.push({
    case: `TaskQueue (memory): ${count} trivial jobs, concurrency ${concurrency}, added at once`,
    unit: 'jobs/s',
    higherIsBetter: true,
    ours: rates['@loopwork/background-tasks']!,
    anchors: { 'p-queue': rates['p-queue']! },
  })
}

const heap = await compare({
  '@loopwork/background-tasks': () => heapPerQueuedJob(pausedTaskQueue),
  'p-queue': () => heapPerQueuedJob(pausedPQueue),
})
cases.push({
  case: 'TaskQueue (memory): heap held per waiting job',
  unit: 'bytes/job',
  higherIsBetter: false,
  ours: heap['@loopwork/background-tasks']!,
  anchors: { 'p-queue': heap['p-queue']! },
})

const spawn = await compare({
  '@loopwork/background-tasks': supervisorRound,
  'bare promise.catch(report)': bareCatchRound,
})
cases.push({
  case: `TaskSupervisor.spawn: ${count} trivial async tasks, then drain()`,
  unit: 'tasks/s',
  higherIsBetter: true,
  ours: spawn['@loopwork/background-tasks']!,
  anchors: { 'bare promise.catch(report)': spawn['bare promise.catch(report)']! },
})

for (const concurrency of [1, 4]) {
  cases.push({
    case: `TaskQueue (BullMQ, Redis on loopback): ${durableJobCount.toLocaleString('en-US')} trivial jobs end to end, concurrency ${concurrency}`,
    unit: 'jobs/s',
    higherIsBetter: true,
    ours: await median(() => durableRound(concurrency)),
    anchors: {},
  })
}

writeResults('background-tasks', cases)
