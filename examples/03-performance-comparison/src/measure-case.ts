import { setTimeout as sleep } from 'node:timers/promises'
import type { ComparisonOptions } from './comparison-options.js'
import { type ProbeResult, probeHealth } from './health-probe.js'
import { type HeavyLoadResult, runHeavyLoad } from './heavy-load.js'

/** One case's raw measurements, before they are compared with the baseline. */
export interface CaseMeasurement {
  heavy: HeavyLoadResult | null
  probe: ProbeResult
}

/**
 * Measures one case: the heavy load on `endpoint` (none for the idle baseline) and, at the same
 * time, the `/health` probe. The probe starts a tenth of the duration after the load and ends a
 * tenth before it, so it sees the load's steady state, not its ramp-up or wind-down.
 */
export async function measureCase(
  origin: string,
  endpoint: string | null,
  options: ComparisonOptions,
): Promise<CaseMeasurement> {
  const durationMs = options.durationSeconds * 1000
  const marginMs = durationMs / 10
  const heavy =
    endpoint === null
      ? Promise.resolve(null)
      : runHeavyLoad({
          url: `${origin}${endpoint}`,
          connections: options.connections,
          durationSeconds: options.durationSeconds,
        })
  const probe = sleep(marginMs).then(() =>
    probeHealth({
      url: `${origin}/health`,
      ratePerSecond: options.probeRatePerSecond,
      durationMs: durationMs - 2 * marginMs,
    }),
  )
  const [heavyResult, probeResult] = await Promise.all([heavy, probe])
  return { heavy: heavyResult, probe: probeResult }
}
