import { SLOT_COUNT } from './claim-slots.js'

/**
 * How much work, in milliseconds of average run time, a thread is given beyond the call it runs.
 * One call in reserve hides the round trip between calls (the thread never waits for the pool
 * between two 1 ms tasks); for quick tasks many calls travel in one message. Calls in reserve
 * count as waiting for `maxWaiting`, and are taken back when another thread runs dry, so a slow
 * call holds nothing up for long.
 */
const RESERVE_BUDGET_MS = 1
/** Half the claim ring, so a thread always has free slots for the calls it is handed next. */
const MAX_DEPTH = SLOT_COUNT / 2
/**
 * The depth while no run time is known: one call running, one in reserve. A cold pool then spreads
 * a burst over its threads as they start instead of parking it on the first one.
 */
export const COLD_DEPTH = 2

/** How many calls a thread may hold at once, given the mean run time so far (`undefined`: none yet). */
export function threadDepth(meanRunTime: number | undefined): number {
  if (meanRunTime === undefined) return COLD_DEPTH
  const reserve = Math.round(RESERVE_BUDGET_MS / Math.max(meanRunTime, 0.001))
  return 1 + Math.min(Math.max(reserve, 1), MAX_DEPTH - 1)
}
