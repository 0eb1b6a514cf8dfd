import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('runs the walk-through to the end and prints each step', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@loopwork/source', '--import', 'tsx', 'src/main.ts'],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 60_000 },
  )
  // 1. the capacity limiter
  expect(stdout).toContain('A new CapacityLimiter has 40 tokens')
  expect(stdout).toMatch(/borrowedTokens=40 waiting=20/)
  expect(stdout).toMatch(/all done: borrowedTokens=0 waiting=0/)
  expect(stdout).toContain('rejected: QueueFullError (LOOPWORK_QUEUE_FULL, maxWaiting = 2)')
  expect(stdout).toMatch(/Stats of "demo": \{"name":"demo","running":0,"waiting":0,/)
  expect(stdout).toMatch(/timeoutMs \(30 ms\)/)

  // 2. the default thread limiter: one token per call in flight, all returned at the end
  expect(stdout).toContain('currentDefaultThreadLimiter() has 40 tokens')
  const series = stdout
    .match(/acquire and release:\n\s+([\d ]+)\n/)![1]!
    .split(' ')
    .map(Number)
  expect(series).toHaveLength(16)
  expect(Math.max(...series)).toBeLessThanOrEqual(8)
  expect(series.at(-1)).toBe(0)
  expect(stdout).toMatch(/highest: \d, afterwards: borrowedTokens=0/)

  // 3. resizing takes effect at once
  expect(stdout).toMatch(/with 2 tokens: borrowedTokens=2 waiting=4/)
  expect(stdout).toMatch(/grown to 6: +borrowedTokens=6 waiting=0/)
  expect(stdout).toMatch(/restored to 40; borrowedTokens=0/)

  // 4. the event loop keeps ticking while the pool works, and not at all while the work runs inline
  const poolTicks = Number(stdout.match(/in the WorkerPool\s+(\d+)/)![1])
  const inlineTicks = Number(stdout.match(/inline\s+(\d+)/)![1])
  expect(poolTicks).toBeGreaterThan(0)
  expect(inlineTicks).toBe(0)
  expect(stdout).toContain('open its status\npage: http://127.0.0.1:3000/status/')
  expect(stdout.trimEnd().endsWith('Done.')).toBe(true)
}, 90_000)
