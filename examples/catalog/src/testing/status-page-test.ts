// The status-page test every catalog service runs: the browser check of status-page-check, and
// what the page must show after it, registered once so the three services' pages behave alike.
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { checkStatusPage } from '../status-page-check.js'

/**
 * Registers the test that starts the service whose `main.ts` is at `mainFile` and checks its live
 * status page in Chromium (see `checkStatusPage`). Set `STATUS_PAGE_SCREENSHOT` to a file name to
 * keep a PNG of the page.
 */
export function statusPageTest(mainFile: URL): void {
  it('shows the live status page in Chromium: updates, a blocked loop with its route, the busiest route, names as text', async () => {
    const report = await checkStatusPage(fileURLToPath(mainFile), {
      screenshot: process.env.STATUS_PAGE_SCREENSHOT,
    })
    expect(report.topRoute).toBe('GET/items/:id')
    expect(report.block).toContain('/debug/block')
  }, 60_000)
}
