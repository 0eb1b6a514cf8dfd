import type { ChaosProfile } from '../chaos-profile.js'
import type { ServiceChild } from '../service-child.js'

/** What every attack gets: the running service and the profile's bounds. */
export interface AttackContext {
  service: ServiceChild
  profile: ChaosProfile
  /**
   * Starts the service again on the same database once it has exited; the context's `service`
   * is the new process from then on.
   */
  restart(): Promise<ServiceChild>
}

/**
 * A bounded loop of `clients` concurrent clients: stops after `durationMs` or `maxRequests`
 * starts. Each call gets its request's index and the loop's deadline (a `performance.now()` time).
 */
export async function runClients(
  clients: number,
  bounds: { durationMs: number; maxRequests: number },
  client: (index: number, deadline: number) => Promise<'continue' | 'stop'>,
): Promise<void> {
  const deadline = performance.now() + bounds.durationMs
  let started = 0
  const loop = async () => {
    while (performance.now() < deadline && started < bounds.maxRequests) {
      const index = started++
      if ((await client(index, deadline)) === 'stop') return
    }
  }
  await Promise.all(Array.from({ length: clients }, loop))
}

/** A query of two catalog words, different from one request to the next. */
export function searchQuery(index: number): string {
  const words = ['oak', 'chair', 'steel', 'lamp', 'linen', 'desk', 'walnut', 'shelf', 'wool', 'rug']
  return `${words[index % words.length]} ${words[(index * 7 + 3) % words.length]}`
}

/** Milliseconds as the table shows them: `840 ms`, `2.4 s`. */
export function duration(milliseconds: number): string {
  return milliseconds < 1_000
    ? `${Math.round(milliseconds)} ms`
    : `${(milliseconds / 1_000).toFixed(1)} s`
}
