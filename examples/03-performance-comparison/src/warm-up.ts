import { heavyPaths } from './endpoints.js'

/**
 * Sends `requests` sequential requests to every endpoint before measuring, so JIT compilation,
 * first connections and the pool's first tasks are not counted in any case.
 */
export async function warmUp(origin: string, requests: number): Promise<void> {
  for (const path of [...heavyPaths, '/health']) {
    for (let index = 0; index < requests; index++) {
      const response = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(10_000) })
      if (!response.ok) throw new Error(`warm-up: ${path} answered ${response.status}`)
      await response.arrayBuffer()
    }
  }
}
