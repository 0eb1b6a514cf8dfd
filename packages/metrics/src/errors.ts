/** Stable codes of the errors this package throws, for `switch (error.code)`. */
export type MetricsErrorCode =
  | 'LOOPWORK_METRICS_NAME_CONFLICT'
  | 'LOOPWORK_METRICS_INVALID_LABEL_VALUE'
  | 'LOOPWORK_METRICS_UNRECOGNISED_PRIMITIVE'
  | 'LOOPWORK_METRICS_ALREADY_TRACKED'
  | 'LOOPWORK_METRICS_DETECTOR_ACTIVE'
  | 'LOOPWORK_METRICS_CLOSED'

/** Base class of every error this package throws besides option validation, so `instanceof MetricsError` catches them all. */
export class MetricsError extends Error {
  /** A stable machine-readable code. */
  readonly code: MetricsErrorCode

  constructor(code: MetricsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'MetricsError'
    this.code = code
  }
}

/**
 * A metric of this name is already registered in the registry, usually because two `createMetrics`
 * share a registry with the same `prefix`. Nothing was registered by the failing call.
 */
export class MetricNameConflictError extends MetricsError {
  /** The metric name that is taken. */
  readonly metricName: string

  constructor(metricName: string, cause?: unknown) {
    super(
      'LOOPWORK_METRICS_NAME_CONFLICT',
      `A metric named "${metricName}" is already registered in this registry; give each createMetrics sharing a registry its own prefix, or close the previous one first`,
      { cause },
    )
    this.name = 'MetricNameConflictError'
    this.metricName = metricName
  }
}

/** A request label (`method`, `route`, `status`) that is not a string or number, or a status that is no HTTP status code. Nothing was recorded. */
export class InvalidLabelValueError extends MetricsError {
  /** The label that was wrong. */
  readonly label: string

  constructor(label: string, value: unknown, allowed: string) {
    super(
      'LOOPWORK_METRICS_INVALID_LABEL_VALUE',
      `Label "${label}" must be ${allowed}, got ${describeValue(value)}`,
    )
    this.name = 'InvalidLabelValueError'
    this.label = label
  }
}

/** `track()` got an object that matches none of the loopwork primitive shapes. */
export class UnrecognisedPrimitiveError extends MetricsError {
  constructor(message: string) {
    super('LOOPWORK_METRICS_UNRECOGNISED_PRIMITIVE', message)
    this.name = 'UnrecognisedPrimitiveError'
  }
}

/** The same primitive, or another of the same kind under the same `name`, is already tracked. */
export class AlreadyTrackedError extends MetricsError {
  constructor(kind: string, trackedName: string) {
    super(
      'LOOPWORK_METRICS_ALREADY_TRACKED',
      `A ${kind} named "${trackedName}" is already tracked; pass a distinct { name } or untrack the other first`,
    )
    this.name = 'AlreadyTrackedError'
  }
}

/** `detectBlocking()` was called while a detector of the same metrics is still running. */
export class DetectorActiveError extends MetricsError {
  constructor() {
    super(
      'LOOPWORK_METRICS_DETECTOR_ACTIVE',
      'A blocked-loop detector is already running for these metrics; close() it before starting another',
    )
    this.name = 'DetectorActiveError'
  }
}

/** The metrics were closed, so nothing new can be tracked or started. */
export class MetricsClosedError extends MetricsError {
  constructor(operation: string) {
    super('LOOPWORK_METRICS_CLOSED', `Cannot ${operation}: these metrics were closed`)
    this.name = 'MetricsClosedError'
  }
}

/** A short, safe description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return String(value)
}
