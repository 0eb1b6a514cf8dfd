import type { ProbeResult } from './health-probe.js'
import type { HeavyLoadResult } from './heavy-load.js'

/** The cases in the order they run: the idle baseline, then one per heavy endpoint. */
export const caseNames = [
  'idle',
  'async-io',
  'blocking-inline',
  'offloaded',
  'blocked-async',
] as const

/** One of {@link caseNames}. */
export type CaseName = (typeof caseNames)[number]

/** One case's measurements. */
export interface CaseResult {
  case: CaseName
  /** The endpoint under load, `null` for the idle baseline. */
  endpoint: string | null
  /** The heavy load's result, `null` for the idle baseline. */
  heavy: HeavyLoadResult | null
  probe: ProbeResult
  /** The probe's p99 divided by the idle baseline's p99. */
  probeP99VersusIdle: number
}

/** The machine a run was measured on. */
export interface MachineDescription {
  cpu: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  /**
   * The 1-minute load average when the run started (other processes' demand for the CPU: above the
   * core count, every number is noisier than on a quiet machine) and when it ended (which includes
   * the run's own load).
   */
  loadAverage: { atStart: number; atEnd: number }
}

/** Everything `results/latest.json` holds. */
export interface ComparisonResult {
  date: string
  machine: MachineDescription
  framework: string
  settings: {
    durationSeconds: number
    connections: number
    probeRatePerSecond: number
    workMs: number
    workIterations: number
    poolThreads: number
    quick: boolean
  }
  cases: CaseResult[]
}
