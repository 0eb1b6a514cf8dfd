// 100,000 loads spread over 1,000 ticks (100 synchronous loads per setImmediate tick), batch function
// returning its keys, through Batcher ({ windowMs: 0 }) and DataLoader (its default scheduling), in
// one process with rounds interleaved. Two pairs: dedupe on both sides (Batcher's default against
// DataLoader's default promise cache), with distinct keys and with dedupe-heavy keys (10 distinct keys
// per tick), reporting loads/s, batches/s and mean batch size; and dedupe off on both sides (Batcher's
// `dedupe: false` against DataLoader's `cache: false`, the choice when keys are already distinct),
// with distinct keys, reporting loads/s.
//
// A round takes ~25 ms and run-to-run noise on a shared machine is ±20%, so unless BENCH_ROUNDS /
// BENCH_WARMUPS say otherwise this bench takes 15 rounds after 3 warm-ups per contender (the kit
// reads them when it loads, hence the dynamic import).
import { Batcher } from '@loopwork/batcher'
import DataLoader from 'dataloader'
import type { BenchCase } from '../../../scripts/bench-kit.js'

process.env.BENCH_ROUNDS ??= '15'
process.env.BENCH_WARMUPS ??= '3'
const { compare, perSecond, writeResults } = await import('../../../scripts/bench-kit.js')

const ticks = Number(process.env.BENCH_TICKS ?? 1_000)
const loadsPerTick = 100
const loadCount = ticks * loadsPerTick
const ours = '@loopwork/batcher'

type Load = (key: number) => Promise<number>
/** Builds a fresh loader whose batch function reports each batch's size. */
type MakeLoader = (countBatch: (size: number) => void) => Load

interface Workload {
  readonly title: string
  /** The key of the `index`th load of `tick`; no tick reuses an earlier tick's keys. */
  readonly keyOf: (tick: number, index: number) => number
}

interface RoundResult {
  readonly loadsPerSecond: number
  readonly batchesPerSecond: number
  readonly meanBatchSize: number
}

function batcher(options: { dedupe: boolean }): MakeLoader {
  return (countBatch) => {
    const users = new Batcher<number, number>(
      async (keys) => {
        countBatch(keys.length)
        return keys
      },
      { windowMs: 0, dedupe: options.dedupe },
    )
    return (key) => users.load(key)
  }
}

function dataLoader(options: { cache: boolean }): MakeLoader {
  return (countBatch) => {
    const users = new DataLoader<number, number>(
      async (keys) => {
        countBatch(keys.length)
        return keys
      },
      { cache: options.cache },
    )
    return (key) => users.load(key)
  }
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
  if (values[loadCount - 1] !== workload.keyOf(ticks - 1, loadsPerTick - 1)) {
    throw new Error('a load resolved with the wrong value')
  }
  return {
    loadsPerSecond: perSecond(loadCount, elapsed),
    batchesPerSecond: perSecond(batches, elapsed),
    meanBatchSize: batchedKeys / batches,
  }
}

/** Runs the contenders interleaved; each figure is the median over rounds (loads/s picks the rounds). */
async function measure(contenders: Record<string, MakeLoader>, workload: Workload) {
  const rounds: Record<string, RoundResult[]> = {}
  const loadsPerSecond = await compare(
    Object.fromEntries(
      Object.entries(contenders).map(([name, make]) => [
        name,
        async () => {
          const result = await round(make, workload)
          rounds[name] ??= []
          rounds[name].push(result)
          return result.loadsPerSecond
        },
      ]),
    ),
  )
  const medianOf = (name: string, pick: (result: RoundResult) => number) => {
    const values = rounds[name]!.map(pick).sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)]!
  }
  return { loadsPerSecond, medianOf }
}

function row(
  title: string,
  unit: string,
  names: string[],
  value: (name: string) => number,
): BenchCase {
  const anchors = Object.fromEntries(
    names.filter((name) => name !== ours).map((name) => [name, value(name)]),
  )
  return { case: title, unit, higherIsBetter: true, ours: value(ours), anchors }
}

const label = `${loadCount.toLocaleString('en-US')} loads over ${ticks.toLocaleString('en-US')} ticks`
const workloads: Workload[] = [
  { title: 'distinct keys', keyOf: (tick, index) => tick * loadsPerTick + index },
  {
    title: '10 distinct keys per tick (dedupe-heavy)',
    keyOf: (tick, index) => tick * 10 + (index % 10),
  },
]

const cases: BenchCase[] = []
const defaults = { [ours]: batcher({ dedupe: true }), dataloader: dataLoader({ cache: true }) }
for (const workload of workloads) {
  const { loadsPerSecond, medianOf } = await measure(defaults, workload)
  const names = Object.keys(defaults)
  const title = `${label}, ${workload.title}, dedupe on both sides (windowMs 0 vs DataLoader defaults)`
  cases.push(row(`${title}: loads/s`, 'loads/s', names, (name) => loadsPerSecond[name]!))
  cases.push(
    row(`${title}: batches/s`, 'batches/s', names, (name) =>
      medianOf(name, (result) => result.batchesPerSecond),
    ),
  )
  cases.push(
    row(`${title}: mean batch size`, 'keys/batch', names, (name) =>
      medianOf(name, (result) => result.meanBatchSize),
    ),
  )
}

const withoutDedupe = {
  [ours]: batcher({ dedupe: false }),
  'dataloader (cache: false)': dataLoader({ cache: false }),
}
const plain = await measure(withoutDedupe, workloads[0]!)
cases.push(
  row(
    `${label}, distinct keys, dedupe off on both sides (dedupe: false vs DataLoader cache: false): loads/s`,
    'loads/s',
    Object.keys(withoutDedupe),
    (name) => plain.loadsPerSecond[name]!,
  ),
)
writeResults('batcher', cases)
