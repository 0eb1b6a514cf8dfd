// The worker-thread module of the walk-through: plain exported functions the pool runs by name.
import { spinCpu } from './cpu-work.js'

const sleepCell = new Int32Array(new SharedArrayBuffer(4))

/**
 * Blocks its thread for `milliseconds` without using the CPU, like a synchronous driver call
 * waiting on disk or network. Returns how long it slept.
 */
export function blockFor(milliseconds: number): number {
  Atomics.wait(sleepCell, 0, 0, milliseconds)
  return milliseconds
}

/** CPU-bound work in a worker thread: the same function the walk-through also runs inline. */
export function spin(iterations: number): number {
  return spinCpu(iterations)
}
