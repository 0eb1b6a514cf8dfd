import { describe, expect, it } from 'vitest'
import {
  currentRuntime,
  detectRuntime,
  isLoopworkError,
  LoopworkError,
  runtimeName,
  timersOutliveRequests,
  UnsupportedRuntimeError,
} from '../src/index.js'

describe('detectRuntime', () => {
  it('tells the runtimes apart by their globals', () => {
    expect(detectRuntime({ Bun: {}, process: { release: { name: 'node' } } })).toBe('bun')
    expect(detectRuntime({ Deno: {}, process: { release: { name: 'node' } } })).toBe('deno')
    expect(detectRuntime({ navigator: { userAgent: 'Cloudflare-Workers' } })).toBe('workerd')
    expect(detectRuntime({ process: { release: { name: 'node' } } })).toBe('node')
    expect(detectRuntime({ navigator: { userAgent: 'Mozilla/5.0' } })).toBe('other')
  })

  it('finds Node under the test suite', () => {
    expect(currentRuntime).toBe('node')
    expect(runtimeName(currentRuntime)).toBe('Node.js')
    expect(runtimeName('workerd')).toBe('Cloudflare Workers (workerd)')
  })

  it('knows that timers die with their request on Workers only', () => {
    expect(timersOutliveRequests('node')).toBe(true)
    expect(timersOutliveRequests('bun')).toBe(true)
    expect(timersOutliveRequests('workerd')).toBe(false)
  })
})

describe('UnsupportedRuntimeError', () => {
  it('is a LoopworkError with its code, runtime and feature', () => {
    const error = new UnsupportedRuntimeError('no threads here', 'workerd', 'worker_threads')
    expect(error).toBeInstanceOf(LoopworkError)
    expect(error).toBeInstanceOf(UnsupportedRuntimeError)
    expect(isLoopworkError(error, 'LOOPWORK_UNSUPPORTED_RUNTIME')).toBe(true)
    expect(error).toMatchObject({
      name: 'UnsupportedRuntimeError',
      code: 'LOOPWORK_UNSUPPORTED_RUNTIME',
      runtime: 'workerd',
      feature: 'worker_threads',
      message: 'no threads here',
    })
  })
})
