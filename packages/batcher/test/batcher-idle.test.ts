import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { Batcher } from '../src/index.js'

const run = promisify(execFile)
const packageDirectory = fileURLToPath(new URL('..', import.meta.url))
const loadSources = ['--conditions=@loopwork/source', '--import', 'tsx']

/** Runs a fixture in a fresh Node process; the timeout only stops a process that never exits. */
async function runFixture(name: string) {
  const { stdout } = await run(process.execPath, [...loadSources, `test/fixtures/${name}`], {
    cwd: packageDirectory,
    timeout: 15_000,
  })
  return JSON.parse(stdout.trim()) as Record<string, unknown>
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
}

describe('no handle while idle', () => {
  it('lets a process that used a windowed batcher exit on its own', async () => {
    const result = await runFixture('idle-exit.ts')
    expect(result.values).toEqual([2, 4, 6])
    expect(result.abortOutcome).toBe('AbortError')
    expect(result.resources).not.toContain('Timeout')
  })

  it('holds a timer only while keys are pending, and one per batch', async () => {
    const before = timers()
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 5 })
    expect(timers()).toBe(before)
    const loads = Array.from({ length: 50 }, (_, key) => users.load(key))
    expect(timers()).toBe(before + 1)
    await Promise.all(loads)
    // The child-process test above is the strict check; here other timers may have come and gone.
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('leaves no timer behind when every pending load aborts', () => {
    const before = timers()
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 50 })
    const controller = new AbortController()
    const load = users.load(1, { signal: controller.signal })
    expect(timers()).toBe(before + 1)
    controller.abort()
    expect(timers()).toBe(before)
    return expect(load).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('reports a throwing batch listener as an uncaught exception and still settles every load', async () => {
    const result = await runFixture('throwing-listener.ts')
    expect(result.values).toEqual([1, 2])
    expect(result.reported).toEqual(['listener failure', 'listener failure'])
  })
})
