// Shared by every package's bench/: measures a workload over several rounds after a warm-up,
// keeps the median, and writes bench-results/<name>.json (the cases, the machine, its load and the
// date), which `pnpm bench` renders into the package's README.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { join } from 'node:path'
import {
  type BenchCase,
  type BenchResults,
  renderTable,
  resultsDirectory,
} from './bench-render.mjs'

export type { BenchCase, BenchResults }

/** The load when the benchmark started, before this process did any work. */
const loadAtStart = loadavg()

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

/**
 * Writes bench-results/<name>.json at the repository root (`name` is the package folder, or
 * `<folder>-<what>` for a second benchmark of one package) and prints the cases as a table.
 */
export function writeResults(name: string, cases: BenchCase[]): void {
  const processors = cpus()
  const results: BenchResults = {
    name,
    date: new Date().toISOString(),
    machine: {
      cpu: processors[0]?.model.trim() ?? 'unknown CPU',
      cores: processors.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      os: `${type()} ${release()} (${process.arch})`,
      node: process.versions.node,
    },
    loadAverage: { start: loadAtStart, end: loadavg() },
    cases,
  }
  mkdirSync(resultsDirectory, { recursive: true })
  writeFileSync(join(resultsDirectory, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`)
  process.stdout.write(`### ${name}\n\n${renderTable(results)}\n`)
}
