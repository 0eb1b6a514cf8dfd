import { describe, expect, it } from 'vitest'
import { SLOT_COUNT } from '../src/internal/claim-slots.js'
import { COLD_DEPTH, threadDepth } from '../src/internal/thread-reserve.js'

describe('the calls a thread holds', () => {
  it('are one running and one in reserve while no run time is known', () => {
    expect(COLD_DEPTH).toBe(2)
    expect(threadDepth(undefined)).toBe(2)
  })

  it('grow to about 1 ms of work for quick tasks, within half the claim ring', () => {
    expect(threadDepth(0.1)).toBe(11)
    expect(threadDepth(0.000_1)).toBe(SLOT_COUNT / 2)
  })

  it('keep one call in reserve for slow tasks', () => {
    expect(threadDepth(5)).toBe(2)
    expect(threadDepth(1_000)).toBe(2)
  })
})
