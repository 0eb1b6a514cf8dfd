import type { ArrayHistogram } from './array-histogram.js'
import type { BlockingDetector } from './blocking-detector.js'
import type { InFlightRequest } from './in-flight-requests.js'
import type { EndRequest, RequestLabels, RequestStartLabels } from './request-labels.js'
import type { RequestSeries } from './request-series.js'

const clock = performance

/**
 * The per-request path: an in-flight count, a start time, and at the end three cached map lookups
 * and a typed-array increment. `startRequest()` must return a function (the public API), so each
 * request costs one closure; pooling those closures would let a late second `end()` of one request
 * end another, so correctness wins over that last allocation.
 */
export class RequestRecorder {
  /** Requests started and not yet ended. */
  inFlight = 0
  /** The running blocked-loop detector, if any. */
  detector: BlockingDetector | undefined
  readonly #histogram: ArrayHistogram
  readonly #series: RequestSeries

  constructor(histogram: ArrayHistogram, series: RequestSeries) {
    this.#histogram = histogram
    this.#series = series
  }

  /** Starts timing a request and counts it in flight. */
  start(labels?: RequestStartLabels): EndRequest {
    this.inFlight++
    const startedAt = clock.now()
    const detector = this.detector
    return detector === undefined || detector.closed
      ? this.#end(startedAt)
      : this.#endWatched(startedAt, detector, detector.enter(labels))
  }

  #end(startedAt: number): EndRequest {
    let seconds = -1
    return (labels: RequestLabels): number => {
      if (seconds !== -1) return seconds
      seconds = (clock.now() - startedAt) / 1000
      this.inFlight--
      // Resolving may throw for a bad label; the request has already left the in-flight count.
      this.#histogram.observe(this.#series.resolve(labels), seconds)
      return seconds
    }
  }

  #endWatched(startedAt: number, detector: BlockingDetector, entry: InFlightRequest): EndRequest {
    let seconds = -1
    return (labels: RequestLabels): number => {
      if (seconds !== -1) return seconds
      const now = clock.now()
      seconds = (now - startedAt) / 1000
      this.inFlight--
      detector.leave(entry)
      const series = this.#series.resolve(labels)
      this.#histogram.observe(series, seconds)
      if (now > detector.alarmAt) detector.endedDuringBlock(this.#series.labels[series]!)
      return seconds
    }
  }
}
