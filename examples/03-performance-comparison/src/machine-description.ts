import { availableParallelism, cpus, release, totalmem, type } from 'node:os'
import type { MachineDescription } from './comparison-result.js'

/** Describes this machine for the results: CPU model, cores, memory, OS and Node version. */
export function describeMachine(): MachineDescription {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
  }
}
