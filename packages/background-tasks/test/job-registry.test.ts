import { describe, expect, it } from 'vitest'
import { JobRegistry } from '../src/internal/job-registry.js'
import { MemoryJob } from '../src/internal/memory-job.js'

function register(registry: JobRegistry, jobId?: string): MemoryJob {
  const job = new MemoryJob(registry.nextSequence(), jobId, 'work', null, 0, 1)
  registry.add(job)
  return job
}

function finish(registry: JobRegistry, job: MemoryJob): void {
  job.state = 'completed'
  registry.completed(job)
}

describe('JobRegistry (the in-memory backend’s index of jobs)', () => {
  it('finds jobs by their default id and by their jobId, and not by look-alike ids', () => {
    const registry = new JobRegistry(10, 10)
    const first = register(registry)
    const named = register(registry, 'charge-1')
    const third = register(registry)
    expect(first.id).toBe('1')
    expect(third.id).toBe('3')
    expect(registry.get('1')).toBe(first)
    expect(registry.get('charge-1')).toBe(named)
    expect(registry.get('3')).toBe(third)
    expect(registry.get('2')).toBeUndefined()
    expect(registry.get('01')).toBeUndefined()
    expect(registry.get('1.0')).toBeUndefined()
    expect(registry.get('4')).toBeUndefined()
    expect(registry.unfinished).toBe(3)
  })

  it('keeps the last keepCompleted finished jobs and forgets older ones', () => {
    const registry = new JobRegistry(2, 10)
    const jobs = [register(registry), register(registry, 'named'), register(registry)]
    for (const job of jobs) finish(registry, job)
    expect(registry.unfinished).toBe(0)
    expect(registry.get('1')).toBeUndefined()
    expect(registry.get('named')).toBe(jobs[1])
    expect(registry.get('3')).toBe(jobs[2])
    finish(registry, register(registry))
    expect(registry.get('named')).toBeUndefined()
  })

  it('forgets finished jobs at once when nothing is to be kept', () => {
    const registry = new JobRegistry(0, 0)
    const job = register(registry, 'once')
    finish(registry, job)
    expect(registry.get('once')).toBeUndefined()
    expect(registry.get('1')).toBeUndefined()
  })

  it('does not let an evicted job take away a newer job with the same jobId', () => {
    const registry = new JobRegistry(1, 10)
    const old = register(registry, 'charge')
    finish(registry, old)
    finish(registry, register(registry))
    // "charge" was pushed out of the kept results, so the id may be used again
    expect(registry.get('charge')).toBeUndefined()
    const again = register(registry, 'charge')
    expect(registry.get('charge')).toBe(again)
  })

  it('keeps a slow job findable among many fast ones while the window of slots stays bounded', () => {
    const registry = new JobRegistry(10, 10)
    const slow = register(registry)
    let maxSpan = 0
    for (let index = 0; index < 50_000; index++) {
      finish(registry, register(registry))
      maxSpan = Math.max(maxSpan, registry.windowSpan)
    }
    expect(registry.get(slow.id)).toBe(slow)
    expect(registry.unfinishedJobs()).toEqual([slow])
    expect(maxSpan).toBeLessThanOrEqual(16_385)
    finish(registry, slow)
    expect(registry.get('50001')).toBeDefined()
    expect(registry.unfinished).toBe(0)
  })

  it('lists unfinished jobs in the order they were added and the dead letters oldest first', () => {
    const registry = new JobRegistry(10, 2)
    const jobs = Array.from({ length: 4 }, () => register(registry))
    for (const job of [jobs[0]!, jobs[2]!, jobs[3]!]) {
      job.state = 'failed'
      job.outcome = new Error(`failed ${job.id}`)
      registry.failed(job)
    }
    expect(registry.unfinishedJobs()).toEqual([jobs[1]])
    expect(registry.deadLetterCount).toBe(2)
    expect(registry.deadLetters().map((letter) => letter.error.message)).toEqual([
      'failed 3',
      'failed 4',
    ])
  })
})
