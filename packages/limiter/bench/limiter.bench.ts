// 200,000 trivial async tasks submitted at once, through CapacityLimiter.run, p-limit and p-queue
// at the same concurrency, in one process, rounds interleaved; calls awaited one after another,
// each finding a free token; plus the heap each queued task holds.
import { CapacityLimiter } from '@loopwork/limiter'
import pLimit from 'p-limit'
import PQueue from 'p-queue'
import {
  type BenchCase,
  collectGarbage,
  compare,
  perSecond,
  writeResults,
} from '../../../scripts/bench-kit.js'

const taskCount = Number(process.env.BENCH_TASKS ?? 200_000)
const trivial = async (value: number) => value

type Submit = (task: () => Promise<number>) => Promise<number>

function contenders(concurrency: number): Record<string, () => Submit> {
  return {
    '@loopwork/limiter': () => {
      const limiter = new CapacityLimiter({
        totalTokens: concurrency,
        maxWaiting: Number.POSITIVE_INFINITY,
      })
      return (task) => limiter.run(task)
    },
    'p-limit': () => {
      const limit = pLimit(concurrency)
      return (task) => limit(task)
    },
    'p-queue': () => {
      const queue = new PQueue({ concurrency })
      return (task) => queue.add(task) as Promise<number>
    },
  }
}

async function throughput(makeSubmit: () => Submit): Promise<number> {
  const submit = makeSubmit()
  const pending: Promise<number>[] = new Array(taskCount)
  const started = performance.now()
  for (let index = 0; index < taskCount; index++) pending[index] = submit(() => trivial(index))
  const results = await Promise.all(pending)
  const elapsed = performance.now() - started
  if (results[taskCount - 1] !== taskCount - 1) throw new Error('wrong result')
  return perSecond(taskCount, elapsed)
}

/** One call at a time, each awaited: every call finds a free token (the limiter's fast path). */
async function sequentialThroughput(makeSubmit: () => Submit): Promise<number> {
  const submit = makeSubmit()
  const count = taskCount / 4
  const started = performance.now()
  for (let index = 0; index < count; index++) {
    if ((await submit(() => trivial(index))) !== index) throw new Error('wrong result')
  }
  return perSecond(count, performance.now() - started)
}

async function heapPerQueuedTask(makeSubmit: () => Submit): Promise<number> {
  const submit = makeSubmit()
  const pending: Promise<number>[] = new Array(taskCount)
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  for (let index = 0; index < taskCount; index++) pending[index] = submit(() => trivial(index))
  const after = process.memoryUsage().heapUsed
  await Promise.all(pending)
  return Math.max(0, Math.round((after - before) / taskCount))
}

const cases: BenchCase[] = []
for (const concurrency of [40, 10]) {
  const makers = contenders(concurrency)
  const rates = await compare(
    Object.fromEntries(
      Object.entries(makers).map(([name, make]) => [name, () => throughput(make)]),
    ),
  )
  const { '@loopwork/limiter': ours, ...anchors } = rates
  cases.push({
    case: `${taskCount.toLocaleString('en-US')} trivial tasks, concurrency ${concurrency}, submitted at once`,
    unit: 'tasks/s',
    higherIsBetter: true,
    ours: ours!,
    anchors,
  })
}
const sequential = await compare(
  Object.fromEntries(
    Object.entries(contenders(40)).map(([name, make]) => [name, () => sequentialThroughput(make)]),
  ),
)
const { '@loopwork/limiter': oursSequential, ...anchorSequential } = sequential
cases.push({
  case: `${(taskCount / 4).toLocaleString('en-US')} trivial tasks, each awaited before the next (a token always free)`,
  unit: 'tasks/s',
  higherIsBetter: true,
  ours: oursSequential!,
  anchors: anchorSequential,
})
const heap = await compare(
  Object.fromEntries(
    Object.entries(contenders(40)).map(([name, make]) => [name, () => heapPerQueuedTask(make)]),
  ),
)
const { '@loopwork/limiter': oursHeap, ...anchorHeap } = heap
cases.push({
  case: 'heap held per queued task (submission phase, includes the caller promise)',
  unit: 'bytes/task',
  higherIsBetter: false,
  ours: oursHeap!,
  anchors: anchorHeap,
})
writeResults('limiter', cases)
