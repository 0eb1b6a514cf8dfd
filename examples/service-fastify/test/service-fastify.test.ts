import { fileURLToPath } from 'node:url'
import { checkCatalogService } from '@loopwork-example/catalog/service-check'
import { exerciseServiceProcess } from '@loopwork-example/catalog/service-process'
import { expect, it } from 'vitest'

it('starts on port 0, answers every route, and shuts down gracefully on SIGTERM', async () => {
  const run = await exerciseServiceProcess(
    fileURLToPath(new URL('../src/main.ts', import.meta.url)),
    checkCatalogService,
  )
  expect(run.result.exportedLines).toBe(100_001)
  expect(run.exitCode).toBe(0)
  expect(run.output).toContain('catalog service (fastify) listening on http://127.0.0.1:')
  expect(run.output).toMatch(/SIGTERM: shutting down gracefully\nshut down: \{"timedOut":false/)
}, 90_000)
