import autocannon from 'autocannon'

/** What the heavy load measured. */
export interface HeavyLoadResult {
  requestsPerSecond: number
  requests: number
  errors: number
  non2xx: number
  latencyP50: number
  latencyP99: number
}

/** Options of {@link runHeavyLoad}. */
export interface HeavyLoadOptions {
  url: string
  connections: number
  durationSeconds: number
}

/**
 * Loads one endpoint with autocannon: `connections` keep-alive connections, each sending its next
 * request as soon as the previous one answered, for `durationSeconds`. Bounded in time by the
 * duration and in count by `maxOverallRequests`.
 */
export async function runHeavyLoad(options: HeavyLoadOptions): Promise<HeavyLoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    maxOverallRequests: 5_000_000,
    timeout: 10,
  })
  const completed = result['2xx']
  return {
    requestsPerSecond: Math.round(completed / (result.duration || options.durationSeconds)),
    requests: completed,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  }
}
