import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os'
import type { MachineDescription } from './comparison-result.js'

/** The 1-minute load average, rounded to 0.01. */
export function oneMinuteLoad(): number {
  return Math.round(loadavg()[0]! * 100) / 100
}

/**
 * Describes this machine for the results: CPU model, cores, memory, OS, Node version, and the load
 * average at the start of the run (`loadAtStart`) and now.
 */
export function describeMachine(loadAtStart: number): MachineDescription {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: { atStart: loadAtStart, atEnd: oneMinuteLoad() },
  }
}
