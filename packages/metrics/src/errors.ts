import { describeValue, LoopworkError } from '@loopwork/internal'

export {
  ClosedError,
  isLoopworkError,
  LoopworkError,
  UnsupportedRuntimeError,
} from '@loopwork/internal'

/** The codes of the errors only this package throws, for `switch (error.code)`. */
export type MetricsErrorCode =
  | 'LOOPWORK_METRIC_NAME_CONFLICT'
  | 'LOOPWORK_INVALID_LABEL_VALUE'
  | 'LOOPWORK_UNRECOGNISED_PRIMITIVE'
  | 'LOOPWORK_ALREADY_TRACKED'
  | 'LOOPWORK_DETECTOR_ACTIVE'

/**
 * A metric of this name is already registered in the registry, usually because two `createMetrics`
 * share a registry with the same `prefix`. Nothing was registered by the failing call.
 */
export class MetricNameConflictError extends LoopworkError {
  static override readonly code = 'LOOPWORK_METRIC_NAME_CONFLICT'

  /** The metric name that is taken. */
  declare readonly metricName: string

  constructor(metricName: string, cause?: unknown) {
    super(
      `A metric named "${metricName}" is already registered in this registry; give each createMetrics sharing a registry its own prefix, or close the previous one first`,
      { cause, name: 'MetricNameConflictError' },
      { metricName },
    )
  }
}

/**
 * A request label (`method`, `route`, `status`) that is not a string or number, or a status that is
 * no HTTP status code. Nothing was recorded, and the request has left the in-flight count.
 */
export class InvalidLabelValueError extends LoopworkError {
  static override readonly code = 'LOOPWORK_INVALID_LABEL_VALUE'

  /** The label that was wrong. */
  declare readonly label: string

  constructor(label: string, value: unknown, allowed: string) {
    super(
      `Label "${label}" must be ${allowed}, got ${describeValue(value)}`,
      { name: 'InvalidLabelValueError' },
      { label },
    )
  }
}

/** `track()` got an object that matches none of the loopwork primitive shapes. */
export class UnrecognisedPrimitiveError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNRECOGNISED_PRIMITIVE'

  /**
   * @param expected The shapes `track()` knows, each with what its `stats()` returns.
   * @param got What the object offered instead, such as `an object without stats()`.
   */
  constructor(expected: string, got: string) {
    super(
      `track() recognises a loopwork primitive by its shape and expected one of: ${expected}; got ${got}`,
      { name: 'UnrecognisedPrimitiveError' },
    )
  }
}

/** The same primitive, or another of the same kind under the same `name`, is already tracked. */
export class AlreadyTrackedError extends LoopworkError {
  static override readonly code = 'LOOPWORK_ALREADY_TRACKED'

  constructor(kind: string, trackedName: string) {
    super(
      `A ${kind} named "${trackedName}" is already tracked; pass a distinct { name } or untrack the other first`,
      { name: 'AlreadyTrackedError' },
    )
  }
}

/** `detectBlocking()` was called while a detector of the same metrics is still running. */
export class DetectorActiveError extends LoopworkError {
  static override readonly code = 'LOOPWORK_DETECTOR_ACTIVE'

  constructor() {
    super(
      'A blocked-loop detector is already running for these metrics; close() it before starting another',
      { name: 'DetectorActiveError' },
    )
  }
}
