import { fileURLToPath } from 'node:url'
import { checkStatusPage } from '@loopwork-example/catalog/status-page-check'
import { expect, it } from 'vitest'

it('shows the live status page in Chromium: updates, a blocked loop with its route, the busiest route, names as text', async () => {
  const report = await checkStatusPage(fileURLToPath(new URL('../src/main.ts', import.meta.url)), {
    screenshot: process.env.STATUS_PAGE_SCREENSHOT,
  })
  expect(report.topRoute).toBe('GET/items/:id')
  expect(report.block).toContain('/debug/block')
}, 60_000)
