/**
 * What a status page reads from the `Metrics` it belongs to, handed over through a private map so
 * the public class keeps its fields private and a page can only be made from a real `Metrics`.
 */
import type { BlockingDetector, BlockTotals } from '../blocking-detector.js'
import type { RequestRecorder } from '../requests.js'
import type { PrimitiveTracker } from '../track.js'

/** The parts of one `Metrics` a status page reads. */
export interface MetricsSources {
  readonly recorder: RequestRecorder
  readonly tracker: PrimitiveTracker
  readonly blocks: BlockTotals
  /** The running blocked-loop detector, if any. */
  detector(): BlockingDetector | undefined
  /** Open status pages, closed with their `Metrics`. */
  readonly pages: Set<{ close(): void }>
  /** Whether the `Metrics` was closed. */
  closed(): boolean
}

/** Every `Metrics` of this copy of the package, with its sources. */
export const metricsSources = new WeakMap<object, MetricsSources>()
