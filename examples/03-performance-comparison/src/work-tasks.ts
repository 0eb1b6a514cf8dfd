// The worker-thread module of the comparison: the same CPU work the inline endpoint runs.
import { spinCpu } from './cpu-work.js'

/** Runs `iterations` rounds of the shared CPU work in a worker thread. */
export function spin(iterations: number): number {
  return spinCpu(iterations)
}
