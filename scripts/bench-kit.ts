// Shared by every package's bench/: measures a workload over several rounds after a warm-up,
// keeps the median, and writes bench-results/<package>.json in the format `pnpm bench` reports.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One row of bench-results/<package>.json. */
export interface BenchCase {
  case: string
  unit: string
  higherIsBetter: boolean
  ours: number
  anchors: Record<string, number>
}

/** How many rounds and warm-ups `median` runs; override with BENCH_ROUNDS for a quick pass. */
export const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const warmups = Number(process.env.BENCH_WARMUPS ?? 1)

/** Runs `round` (which returns its own measurement) `warmups` + `rounds` times; returns the median of the measured rounds. */
export async function median(round: () => Promise<number> | number): Promise<number> {
  for (let index = 0; index < warmups; index++) await round()
  const values: number[] = []
  for (let index = 0; index < rounds; index++) {
    collectGarbage()
    values.push(await round())
  }
  values.sort((a, b) => a - b)
  return values[Math.floor(values.length / 2)]!
}

/** Runs each contender's round in turn (interleaved, so drift in machine load hits all alike); returns medians by name. */
export async function compare(
  contenders: Record<string, () => Promise<number> | number>,
): Promise<Record<string, number>> {
  const names = Object.keys(contenders)
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
  for (let index = 0; index < warmups; index++) {
    for (const name of names) await contenders[name]!()
  }
  for (let index = 0; index < rounds; index++) {
    for (const name of names) {
      collectGarbage()
      samples[name]!.push(await contenders[name]!())
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const sorted = samples[name]!.sort((a, b) => a - b)
      return [name, sorted[Math.floor(sorted.length / 2)]!]
    }),
  )
}

/** Operations per second of `count` operations that took `milliseconds`. */
export function perSecond(count: number, milliseconds: number): number {
  return Math.round((count / milliseconds) * 1000)
}

/** Calls `gc()` when the process runs with --expose-gc, so rounds start from a clean heap. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
}

/** Writes bench-results/<packageName>.json at the repository root and prints the cases as a table. */
export function writeResults(packageName: string, cases: BenchCase[]): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const file = join(root, 'bench-results', `${packageName}.json`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(cases, null, 2)}\n`)
  process.stdout.write(`${formatTable(packageName, cases)}\n`)
}

/** A Markdown table of cases with the ratio ours/anchor (flipped when lower is better, so > 1 always means we win). */
export function formatTable(packageName: string, cases: BenchCase[]): string {
  const lines = [
    `### ${packageName}`,
    '',
    '| case | unit | ours | anchor | anchor value | ours vs anchor |',
    '|---|---|---:|---|---:|---:|',
  ]
  for (const row of cases) {
    const anchors = Object.entries(row.anchors)
    if (anchors.length === 0)
      lines.push(`| ${row.case} | ${row.unit} | ${format(row.ours)} | – | – | – |`)
    for (const [anchor, value] of anchors) {
      const ratio = row.higherIsBetter ? row.ours / value : value / row.ours
      lines.push(
        `| ${row.case} | ${row.unit} | ${format(row.ours)} | ${anchor} | ${format(value)} | ${ratio.toFixed(2)}x |`,
      )
    }
  }
  return lines.join('\n')
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
}
