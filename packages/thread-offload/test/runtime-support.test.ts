import { describe, expect, it } from 'vitest'
import { UnsupportedRuntimeError, WorkerPool } from '../src/index.js'
import { unsupportedRuntime } from '../src/internal/runtime-support.js'

// The suite runs on Node; the other runtimes' answers are checked through the runtime argument,
// and test/runtimes/ at the repository root checks them on Bun, Deno and workerd themselves.
describe('what a pool refuses per runtime', () => {
  it('refuses every pool on Cloudflare Workers, naming the missing worker threads', () => {
    const error = unsupportedRuntime({}, 'workerd')
    expect(error).toBeInstanceOf(UnsupportedRuntimeError)
    expect(error).toMatchObject({
      code: 'LOOPWORK_UNSUPPORTED_RUNTIME',
      runtime: 'workerd',
      feature: 'worker_threads',
    })
    expect(error?.message).toMatch(/WorkerPool needs worker threads .* Cloudflare Workers/)
  })

  it('refuses resourceLimits on Bun (ignored there) and on Deno (a thread over its limit hangs)', () => {
    const resourceLimits = { maxOldGenerationSizeMb: 64 }
    expect(unsupportedRuntime({ resourceLimits }, 'bun')).toMatchObject({
      runtime: 'bun',
      feature: 'resourceLimits',
      message: expect.stringMatching(/resourceLimits is not enforced on Bun/),
    })
    expect(unsupportedRuntime({ resourceLimits }, 'deno')).toMatchObject({
      runtime: 'deno',
      feature: 'resourceLimits',
      message: expect.stringMatching(/resourceLimits is not reliable on Deno/),
    })
    expect(unsupportedRuntime({}, 'bun')).toBeUndefined()
    expect(unsupportedRuntime({}, 'deno')).toBeUndefined()
  })

  it('accepts everything on Node', async () => {
    expect(unsupportedRuntime({ resourceLimits: { maxOldGenerationSizeMb: 64 } }, 'node')).toBe(
      undefined,
    )
    const pool = new WorkerPool({
      module: new URL('./fixtures/tasks.ts', import.meta.url),
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    })
    await pool.close()
  })
})
