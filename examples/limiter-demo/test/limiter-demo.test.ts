import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('runs the limiter walk-through to the end and prints each step', async () => {
  const script = fileURLToPath(new URL('../src/main.ts', import.meta.url))
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@loopwork/source', '--import', 'tsx', script],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    },
  )
  expect(stdout).toContain('has 40 tokens')
  expect(stdout).toMatch(/borrowedTokens=40 waiting=20/)
  expect(stdout).toMatch(/grown to 6: +borrowedTokens=6 waiting=0/)
  expect(stdout).toContain('rejected: LimiterQueueFullError (LOOPWORK_LIMITER_QUEUE_FULL)')
  expect(stdout).toMatch(/timeoutMs \(30 ms\)/)
  expect(stdout).toMatch(/"borrowedTokens":0/)
})
