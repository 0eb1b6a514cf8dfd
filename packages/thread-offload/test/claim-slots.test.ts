import { describe, expect, it } from 'vitest'
import {
  claim,
  createControlBlock,
  isClaimed,
  markPending,
  revoke,
  SLOT_COUNT,
} from '../src/internal/claim-slots.js'

describe('claim slots', () => {
  it('lets the thread claim a pending call once', () => {
    const control = createControlBlock()
    markPending(control, 5)
    expect(claim(control, 5)).toBe(true)
    expect(isClaimed(control, 5)).toBe(true)
    expect(claim(control, 5)).toBe(false)
    expect(revoke(control, 5)).toBe(false)
  })

  it('lets the pool take back a call the thread has not claimed, and the thread then skips it', () => {
    const control = createControlBlock()
    markPending(control, 9)
    expect(revoke(control, 9)).toBe(true)
    expect(claim(control, 9)).toBe(false)
    expect(isClaimed(control, 9)).toBe(false)
  })

  it('never lets a stale call claim a slot reused by a newer one', () => {
    const control = createControlBlock()
    markPending(control, 3)
    expect(revoke(control, 3)).toBe(true)
    markPending(control, 3 + SLOT_COUNT)
    // The thread reaches the old call only now: it must not take the new call's slot.
    expect(claim(control, 3)).toBe(false)
    expect(claim(control, 3 + SLOT_COUNT)).toBe(true)
  })
})
