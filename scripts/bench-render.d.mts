/** One measured case of bench-results/<name>.json. */
export interface BenchCase {
  case: string
  unit: string
  higherIsBetter: boolean
  ours: number
  anchors: Record<string, number>
}

/** The machine a benchmark ran on. */
export interface BenchMachine {
  cpu: string
  cores: number
  memoryGiB: number
  os: string
  node: string
}

/** The whole of bench-results/<name>.json. */
export interface BenchResults {
  name: string
  date: string
  machine: BenchMachine
  loadAverage: { start: number[]; end: number[] }
  cases: BenchCase[]
}

export const root: string
export const resultsDirectory: string
export const packagesDirectory: string
/** Package folders that are published and have a README. */
export function publishedPackages(): string[]
export function readResults(name: string): BenchResults | undefined
export function formatValue(value: number): string
export function ratio(row: BenchCase, anchorValue: number): number
export function renderTable(results: Pick<BenchResults, 'cases'>): string
export function renderMachine(results: BenchResults): string
export function renderBlock(name: string): string
export function findBlocks(readme: string, packageFolder: string): { name: string; text: string }[]
export function renderReadme(readme: string, packageFolder: string): string
