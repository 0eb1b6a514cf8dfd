import { describe, expect, it } from 'vitest'
import { SampleWindow, WINDOW_SIZE } from '../src/internal/sample-window.js'

describe('SampleWindow', () => {
  it('is all zeros before the first sample', () => {
    expect(new SampleWindow().summary()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, mean: 0 })
  })

  it('gives nearest-rank percentiles, the maximum and the mean', () => {
    const window = new SampleWindow()
    for (let value = 100; value >= 1; value--) window.record(value)
    expect(window.summary()).toEqual({ p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 })
  })

  it('looks only at the most recent samples', () => {
    const window = new SampleWindow()
    for (let index = 0; index < WINDOW_SIZE; index++) window.record(1_000)
    for (let index = 0; index < WINDOW_SIZE; index++) window.record(1)
    expect(window.summary()).toEqual({ p50: 1, p90: 1, p99: 1, max: 1, mean: 1 })
  })
})
