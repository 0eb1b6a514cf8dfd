/** The longest block `GET /debug/block` accepts, in milliseconds. */
export const maximumBlockMs = 2_000

/**
 * `GET /debug/block?ms=`: keeps the event loop busy for `ms` milliseconds (300 by default, at most
 * 2,000), so the status page's blocked-loop panel has something to show. The services register the
 * route only when `CATALOG_DEBUG_ROUTES=1`: on a real server it would let anyone stall it.
 */
export function blockEventLoop(msText: unknown): { blockedMs: number } {
  const wanted = typeof msText === 'string' && /^\d{1,4}$/.test(msText) ? Number(msText) : 300
  const milliseconds = Math.min(wanted, maximumBlockMs)
  const end = performance.now() + milliseconds
  while (performance.now() < end) {
    // Busy on purpose: nothing else can run on this thread until the loop ends.
  }
  return { blockedMs: milliseconds }
}

/** Whether the debug routes are on (`CATALOG_DEBUG_ROUTES=1`). */
export function debugRoutesEnabled(): boolean {
  return process.env.CATALOG_DEBUG_ROUTES === '1'
}
