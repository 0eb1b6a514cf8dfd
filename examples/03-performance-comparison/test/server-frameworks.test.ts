import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { frameworks } from '../src/framework.js'
import type { ServerReady } from '../src/server-main.js'

const entry = fileURLToPath(new URL('../src/server-main.ts', import.meta.url))

describe.each(frameworks)('the %s server', (framework) => {
  it('answers every endpoint on 127.0.0.1 and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@loopwork/source',
        '--import',
        'tsx',
        entry,
        `--framework=${framework}`,
        '--work-ms=2',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = once(child, 'exit')
    let ready: ServerReady | undefined
    for await (const line of createInterface({ input: child.stdout })) {
      ready = JSON.parse(line) as ServerReady
      break
    }
    expect(ready).toMatchObject({ event: 'listening', framework, workMs: 2 })
    expect(ready!.iterations).toBeGreaterThan(0)
    const origin = `http://127.0.0.1:${ready!.port}`
    const bodies: Record<string, unknown> = {}
    for (const path of [
      '/health',
      '/async-io',
      '/blocking-inline',
      '/offloaded',
      '/blocked-async',
    ]) {
      const response = await fetch(`${origin}${path}`)
      expect(response.status, path).toBe(200)
      bodies[path] = await response.json()
    }
    expect(bodies['/health']).toEqual({ status: 'ok' })
    expect(bodies['/async-io']).toEqual({ waitedMs: 2 })
    expect(bodies['/blocked-async']).toEqual({ sleptMs: 2 })
    // The same work gives the same result inline and in the pool.
    expect(bodies['/offloaded']).toEqual(bodies['/blocking-inline'])
    expect((await fetch(`${origin}/nowhere`)).status).toBe(404)

    child.kill('SIGTERM')
    const [code] = await exited
    expect(code).toBe(0)
  }, 60_000)
})
