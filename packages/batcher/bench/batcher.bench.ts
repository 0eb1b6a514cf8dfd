// 100,000 loads spread over 1,000 ticks (100 synchronous loads per setImmediate tick), batch function
// returning its keys, through Batcher ({ windowMs: 0 }) and DataLoader (default scheduling), in one
// process with rounds interleaved: loads/s, batches/s and mean batch size, with distinct keys and
// with dedupe-heavy keys (10 distinct keys per tick).
import { Batcher } from '@loopwork/batcher'
import DataLoader from 'dataloader'
import { type BenchCase, compare, perSecond, writeResults } from '../../../scripts/bench-kit.js'

const ticks = Number(process.env.BENCH_TICKS ?? 1_000)
const loadsPerTick = 100
const loadCount = ticks * loadsPerTick

interface Workload {
  readonly title: string
  /** The key of the `index`th load of `tick`; every tick gets keys no earlier tick used. */
  readonly keyOf: (tick: number, index: number) => number
}

interface RoundResult {
  loadsPerSecond: number
  batchesPerSecond: number
  meanBatchSize: number
}

type MakeLoader = (countBatch: (size: number) => void) => (key: number) => Promise<number>

const contenders: Record<string, MakeLoader> = {
  '@loopwork/batcher': (countBatch) => {
    const batcher = new Batcher<number, number>(
      async (keys) => {
        countBatch(keys.length)
        return keys
      },
      { windowMs: 0 },
    )
    return (key) => batcher.load(key)
  },
  dataloader: (countBatch) => {
    const loader = new DataLoader<number, number>(async (keys) => {
      countBatch(keys.length)
      return keys
    })
    return (key) => loader.load(key)
  },
  'dataloader (cache: false)': (countBatch) => {
    const loader = new DataLoader<number, number>(
      async (keys) => {
        countBatch(keys.length)
        return keys
      },
      { cache: false },
    )
    return (key) => loader.load(key)
  },
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve))

async function round(make: MakeLoader, workload: Workload): Promise<RoundResult> {
  let batches = 0
  let batchedKeys = 0
  const load = make((size) => {
    batches++
    batchedKeys += size
  })
  const pending: Promise<number>[] = new Array(loadCount)
  const started = performance.now()
  for (let tick = 0; tick < ticks; tick++) {
    for (let index = 0; index < loadsPerTick; index++) {
      pending[tick * loadsPerTick + index] = load(workload.keyOf(tick, index))
    }
    await nextTick()
  }
  const values = await Promise.all(pending)
  const elapsed = performance.now() - started
  const last = ticks - 1
  if (values[loadCount - 1] !== workload.keyOf(last, loadsPerTick - 1))
    throw new Error('wrong value')
  return {
    loadsPerSecond: perSecond(loadCount, elapsed),
    batchesPerSecond: perSecond(batches, elapsed),
    meanBatchSize: batchedKeys / batches,
  }
}

const workloads: Workload[] = [
  { title: 'distinct keys', keyOf: (tick, index) => tick * loadsPerTick + index },
  {
    title: '10 distinct keys per tick (dedupe-heavy)',
    keyOf: (tick, index) => tick * 10 + (index % 10),
  },
]

const cases: BenchCase[] = []
const ours = '@loopwork/batcher'
for (const workload of workloads) {
  // Every round's three figures come from the same run; each figure is the median over rounds.
  const byName: Record<string, RoundResult[]> = {}
  const measured = await compare(
    Object.fromEntries(
      Object.entries(contenders).map(([name, make]) => [
        name,
        async () => {
          const result = await round(make, workload)
          byName[name] ??= []
          byName[name].push(result)
          return result.loadsPerSecond
        },
      ]),
    ),
  )
  const medianOf = (name: string, pick: (result: RoundResult) => number) => {
    const values = byName[name]!.map(pick).sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)]!
  }
  const anchorsOf = (pick: (result: RoundResult) => number) =>
    Object.fromEntries(
      Object.keys(contenders)
        .filter((name) => name !== ours)
        .map((name) => [name, pick === undefined ? 0 : medianOf(name, pick)]),
    )
  const label = `${loadCount.toLocaleString('en-US')} loads over ${ticks.toLocaleString('en-US')} ticks, ${workload.title}`
  cases.push({
    case: `${label}: loads/s (windowMs 0 vs default scheduling)`,
    unit: 'loads/s',
    higherIsBetter: true,
    ours: measured[ours]!,
    anchors: Object.fromEntries(
      Object.keys(contenders)
        .filter((name) => name !== ours)
        .map((name) => [name, measured[name]!]),
    ),
  })
  cases.push({
    case: `${label}: batches/s`,
    unit: 'batches/s',
    higherIsBetter: true,
    ours: medianOf(ours, (result) => result.batchesPerSecond),
    anchors: anchorsOf((result) => result.batchesPerSecond),
  })
  cases.push({
    case: `${label}: mean batch size`,
    unit: 'keys/batch',
    higherIsBetter: true,
    ours: medianOf(ours, (result) => result.meanBatchSize),
    anchors: anchorsOf((result) => result.meanBatchSize),
  })
}
writeResults('batcher', cases)
