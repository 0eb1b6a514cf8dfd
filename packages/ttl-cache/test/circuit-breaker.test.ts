import { afterEach, describe, expect, it, vi } from 'vitest'
import { CircuitBreaker } from '../src/internal/redis/circuit-breaker.js'
import { useFakeClock } from './deferred.js'

describe('circuit breaker', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('opens after threshold failures in a row, lets one trial through after resetMs, and closes on success', () => {
    useFakeClock()
    const states: string[] = []
    const breaker = new CircuitBreaker(3, 1000, (state) => states.push(state))
    breaker.fail()
    breaker.fail()
    breaker.succeed()
    breaker.fail()
    breaker.fail()
    expect(breaker.admit()).toBe(0)
    breaker.fail()
    expect(breaker.state).toBe('open')
    expect(breaker.admit()).toBe(1000)
    vi.advanceTimersByTime(400)
    expect(breaker.admit()).toBe(600)
    vi.advanceTimersByTime(600)
    expect(breaker.admit()).toBe(0)
    expect(breaker.state).toBe('half-open')
    expect(breaker.admit()).toBeGreaterThan(0) // one trial at a time
    breaker.succeed()
    expect(breaker.admit()).toBe(0)
    expect(states).toEqual(['open', 'half-open', 'closed'])
  })

  it('a failed trial opens the circuit again for another resetMs', () => {
    useFakeClock()
    const breaker = new CircuitBreaker(1, 500, () => {})
    breaker.fail()
    vi.advanceTimersByTime(500)
    expect(breaker.admit()).toBe(0)
    breaker.fail()
    expect(breaker.state).toBe('open')
    expect(breaker.admit()).toBe(500)
  })
})
