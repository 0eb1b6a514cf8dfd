import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isLoopworkError, UnsupportedRuntimeError } from '../src/index.js'

describe('on Cloudflare Workers (the workerd export condition)', () => {
  it('importing the package throws an UnsupportedRuntimeError that says why', async () => {
    const error = await import('../src/workerd.js').then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(isLoopworkError(error, 'LOOPWORK_UNSUPPORTED_RUNTIME')).toBe(true)
    expect(error).toBeInstanceOf(UnsupportedRuntimeError)
    expect(error).toMatchObject({
      name: 'UnsupportedRuntimeError',
      runtime: 'workerd',
      feature: '@loopwork/metrics',
      message: expect.stringMatching(/does not run on Cloudflare Workers.*monitorEventLoopDelay/),
    })
  })

  it('the package resolves to that entry under the workerd condition, published or not', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    for (const exports of [manifest.exports, manifest.publishConfig.exports]) {
      const conditions = Object.keys(exports['.'])
      expect(exports['.'].workerd).toBe('./dist/workerd.js')
      // Before `default`, or bundlers that know workerd would never reach it.
      expect(conditions.indexOf('workerd')).toBeLessThan(conditions.indexOf('default'))
    }
  })
})
