import * as option from '@loopwork/internal/options'
import {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type ResourceReport,
  type ShutdownOptions,
  type ShutdownReport,
  type ShutdownResource,
} from '../../types.js'
import { objectsOption } from '../option-checks.js'

/** The checks of `ShutdownOptions`, for the Fastify plugin to extend with its own. */
export const SHUTDOWN_SCHEMA = {
  timeoutMs: option.duration({ infinity: true }),
  resources: objectsOption,
}

/** The checked options of a shutdown, with their defaults. */
export interface ShutdownSettings {
  readonly timeoutMs: number
  readonly resources: readonly ShutdownResource[]
}

/** Checks shutdown options (against `schema`) and fills in the defaults. */
export function shutdownSettings(
  what: string,
  options: ShutdownOptions | undefined,
  schema = SHUTDOWN_SCHEMA,
): ShutdownSettings {
  option.check(what, options, schema)
  return {
    timeoutMs: options?.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    resources: options?.resources ?? [],
  }
}

/** The report of a shutdown: timed out when connections had to be closed or work was aborted. */
export function shutdownReport(
  closedConnections: number,
  resources: readonly ResourceReport[],
): ShutdownReport {
  return {
    timedOut: closedConnections > 0 || resources.some((report) => report.outcome === 'aborted'),
    closedConnections,
    resources,
  }
}
