import { afterEach, describe, expect, it } from 'vitest'
import {
  AlreadyTrackedError,
  createMetrics,
  LoopworkError,
  type Metrics,
  UnrecognisedPrimitiveError,
} from '../src/index.js'
import { parseExposition, sample } from './exposition.js'
import {
  FakeBatcher,
  FakeLimiter,
  FakeTaskQueue,
  FakeTaskSupervisor,
  FakeTtlCache,
  FakeWorkerPool,
} from './fakes.js'

let metrics: Metrics
afterEach(() => metrics?.close())

async function scrape() {
  return parseExposition(await metrics.render())
}

describe('track()', () => {
  it('exports a CapacityLimiter: tokens, borrowed, waiting as gauges, acquired and rejections by reason as counters', async () => {
    metrics = createMetrics({ eventLoop: false })
    const limiter = new FakeLimiter()
    metrics.track(limiter, { name: 'db' })
    const parsed = await scrape()
    expect(sample(parsed, 'limiter_tokens{name="db"}')).toBe(40)
    expect(sample(parsed, 'limiter_tokens_borrowed{name="db"}')).toBe(3)
    expect(sample(parsed, 'limiter_waiting{name="db"}')).toBe(2)
    expect(sample(parsed, 'limiter_max_waiting{name="db"}')).toBe(1000)
    expect(sample(parsed, 'limiter_acquired_total{name="db"}')).toBe(120)
    expect(sample(parsed, 'limiter_rejected_total{name="db",reason="queue_full"}')).toBe(4)
    expect(sample(parsed, 'limiter_rejected_total{name="db",reason="timeout"}')).toBe(5)
    expect(sample(parsed, 'limiter_rejected_total{name="db",reason="abort"}')).toBe(6)
    expect(parsed.types.get('limiter_tokens_borrowed')).toBe('gauge')
    expect(parsed.types.get('limiter_acquired_total')).toBe('counter')
    expect(parsed.types.get('limiter_rejected_total')).toBe('counter')
    expect(limiter.eventNames()).toEqual([])
  })

  it('reads gauges afresh at every scrape', async () => {
    metrics = createMetrics({ eventLoop: false })
    const limiter = new FakeLimiter()
    metrics.track(limiter)
    expect(sample(await scrape(), 'limiter_tokens_borrowed{name="db"}')).toBe(3)
    limiter.state = {
      ...limiter.state,
      borrowedTokens: 17,
      acquired: 200,
      totalTokens: Number.POSITIVE_INFINITY,
    }
    const parsed = await scrape()
    expect(sample(parsed, 'limiter_tokens_borrowed{name="db"}')).toBe(17)
    expect(sample(parsed, 'limiter_acquired_total{name="db"}')).toBe(200)
    expect(sample(parsed, 'limiter_tokens{name="db"}')).toBe(Number.POSITIVE_INFINITY)
  })

  it('reads stats once per scrape however many families read them', async () => {
    metrics = createMetrics({ eventLoop: false })
    const limiter = new FakeLimiter()
    let reads = 0
    const original = limiter.stats.bind(limiter)
    limiter.stats = () => {
      reads++
      return original()
    }
    metrics.track(limiter)
    reads = 0
    await metrics.render()
    expect(reads).toBe(1)
    await metrics.registry.metrics()
    expect(reads).toBe(2)
  })

  it('exports a WorkerPool: gauges and counts from stats, task times and thread churn from events', async () => {
    metrics = createMetrics({ eventLoop: false })
    const pool = new FakeWorkerPool()
    metrics.track(pool, { name: 'cpu' })
    pool.emit('taskStart', { name: 'hash' })
    pool.emit('taskEnd', { name: 'hash', durationMs: 20, waitMs: 2 })
    pool.emit('taskEnd', { name: 'hash', durationMs: 3_000, waitMs: 7 })
    pool.emit('taskError', { name: 'hash', error: new Error('x'), durationMs: 1 })
    pool.emit('threadSpawn')
    pool.emit('threadSpawn')
    pool.emit('threadExit', { threadId: 3, exitCode: 1, reason: 'crash' })
    pool.emit('threadExit', { threadId: 4, exitCode: 0, reason: 'idle' })
    pool.emit('threadExit', { threadId: 5, exitCode: 0, reason: 'idle' })
    pool.emit('threadExit', { threadId: 6, exitCode: 0, reason: 'meteor strike' })
    pool.emit('threadExit')
    const parsed = await scrape()
    expect(sample(parsed, 'pool_threads{name="cpu"}')).toBe(4)
    expect(sample(parsed, 'pool_threads_busy{name="cpu"}')).toBe(1)
    expect(sample(parsed, 'pool_queued{name="cpu"}')).toBe(7)
    expect(sample(parsed, 'pool_utilization{name="cpu"}')).toBe(0.25)
    expect(sample(parsed, 'pool_tasks_completed_total{name="cpu"}')).toBe(30)
    expect(sample(parsed, 'pool_tasks_failed_total{name="cpu"}')).toBe(2)
    expect(sample(parsed, 'pool_thread_spawns_total{name="cpu"}')).toBe(2)
    expect(sample(parsed, 'pool_thread_exits_total{name="cpu",reason="crash"}')).toBe(1)
    expect(sample(parsed, 'pool_thread_exits_total{name="cpu",reason="idle"}')).toBe(2)
    expect(sample(parsed, 'pool_thread_exits_total{name="cpu",reason="other"}')).toBe(2)
    expect(parsed.samples.has('pool_thread_exits_total{name="cpu",reason="timeout"}')).toBe(false)
    expect(sample(parsed, 'pool_task_duration_seconds_count{name="cpu"}')).toBe(2)
    expect(sample(parsed, 'pool_task_duration_seconds_bucket{le="0.025",name="cpu"}')).toBe(1)
    expect(sample(parsed, 'pool_task_duration_seconds_sum{name="cpu"}')).toBeCloseTo(3.02, 10)
    expect(sample(parsed, 'pool_task_wait_seconds_bucket{le="0.005",name="cpu"}')).toBe(1)
    expect(sample(parsed, 'pool_task_wait_seconds_count{name="cpu"}')).toBe(2)
    expect(parsed.types.get('pool_thread_spawns_total')).toBe('counter')
    expect(parsed.types.get('pool_task_duration_seconds')).toBe('histogram')
  })

  it('ignores malformed events instead of throwing into the primitive', async () => {
    metrics = createMetrics({ eventLoop: false })
    const pool = new FakeWorkerPool()
    const batcher = new FakeBatcher()
    metrics.track(pool, { name: 'cpu' })
    metrics.track(batcher, { name: 'users' })
    expect(() => {
      pool.emit('taskEnd')
      pool.emit('taskEnd', { durationMs: 'slow', waitMs: -1 })
      batcher.emit('batch', null)
      batcher.emit('batch', { size: Number.NaN })
    }).not.toThrow()
    const parsed = await scrape()
    expect(sample(parsed, 'pool_task_duration_seconds_count{name="cpu"}')).toBe(0)
    expect(sample(parsed, 'batcher_batch_size_count{name="users"}')).toBe(0)
  })

  it('exports a TaskQueue: depth, running, delayed and dead letters as gauges; completions, failures, retries as counters', async () => {
    metrics = createMetrics({ eventLoop: false })
    const queue = new FakeTaskQueue()
    metrics.track(queue, { name: 'email' })
    let parsed = await scrape()
    expect(sample(parsed, 'queue_waiting{name="email"}')).toBe(11)
    expect(sample(parsed, 'queue_active{name="email"}')).toBe(2)
    expect(sample(parsed, 'queue_delayed{name="email"}')).toBe(4)
    expect(sample(parsed, 'queue_dead_letters{name="email"}')).toBe(1)
    expect(sample(parsed, 'queue_completed_total{name="email"}')).toBe(50)
    expect(sample(parsed, 'queue_failed_total{name="email"}')).toBe(3)
    expect(sample(parsed, 'queue_retries_total{name="email"}')).toBe(9)
    expect(parsed.types.get('queue_retries_total')).toBe('counter')
    delete queue.state.delayed
    parsed = await scrape()
    expect(parsed.samples.has('queue_delayed{name="email"}')).toBe(false)
  })

  it('exports a TaskSupervisor: running as a gauge, outcomes as counters, without listening to its events', async () => {
    metrics = createMetrics({ eventLoop: false })
    const supervisor = new FakeTaskSupervisor()
    metrics.track(supervisor, { name: 'background' })
    const parsed = await scrape()
    expect(sample(parsed, 'background_tasks_active{name="background"}')).toBe(1)
    expect(sample(parsed, 'background_tasks_started_total{name="background"}')).toBe(10)
    expect(sample(parsed, 'background_tasks_succeeded_total{name="background"}')).toBe(7)
    expect(sample(parsed, 'background_tasks_failed_total{name="background"}')).toBe(1)
    expect(sample(parsed, 'background_tasks_aborted_total{name="background"}')).toBe(1)
    expect(supervisor.eventNames()).toEqual([])
  })

  it('exports a Batcher: batch size and duration histograms from batch events, counts from stats', async () => {
    metrics = createMetrics({ eventLoop: false })
    const batcher = new FakeBatcher()
    metrics.track(batcher, { name: 'users' })
    batcher.emit('batch', { size: 1, durationMs: 2 })
    batcher.emit('batch', { size: 40, durationMs: 30 })
    const parsed = await scrape()
    expect(sample(parsed, 'batcher_batch_size_bucket{le="1",name="users"}')).toBe(1)
    expect(sample(parsed, 'batcher_batch_size_bucket{le="25",name="users"}')).toBe(1)
    expect(sample(parsed, 'batcher_batch_size_bucket{le="50",name="users"}')).toBe(2)
    expect(sample(parsed, 'batcher_batch_size_sum{name="users"}')).toBe(41)
    expect(sample(parsed, 'batcher_batch_duration_seconds_bucket{le="0.005",name="users"}')).toBe(1)
    expect(sample(parsed, 'batcher_batches_total{name="users"}')).toBe(5)
    expect(sample(parsed, 'batcher_keys_total{name="users"}')).toBe(60)
    expect(sample(parsed, 'batcher_pending_keys{name="users"}')).toBe(3)
    expect(sample(parsed, 'batcher_batches_in_flight{name="users"}')).toBe(1)
    expect(parsed.samples.has('batcher_failed_batches_total{name="users"}')).toBe(false)
  })

  it('exports the failure counts a batcher reports beyond the required shape', async () => {
    metrics = createMetrics({ eventLoop: false })
    const batcher = new FakeBatcher()
    Object.assign(batcher.state, { failedBatches: 2, rejectedLoads: 9 })
    metrics.track(batcher, { name: 'users' })
    const parsed = await scrape()
    expect(sample(parsed, 'batcher_failed_batches_total{name="users"}')).toBe(2)
    expect(sample(parsed, 'batcher_rejected_loads_total{name="users"}')).toBe(9)
  })

  it('exports a TtlCache: hits, misses, stale hits, loads, errors, evictions as counters and size as a gauge', async () => {
    metrics = createMetrics({ eventLoop: false })
    const cache = new FakeTtlCache()
    metrics.track(cache, { name: 'items' })
    const parsed = await scrape()
    expect(sample(parsed, 'cache_hits_total{name="items"}')).toBe(90)
    expect(sample(parsed, 'cache_misses_total{name="items"}')).toBe(10)
    expect(sample(parsed, 'cache_stale_hits_total{name="items"}')).toBe(4)
    expect(sample(parsed, 'cache_loads_total{name="items"}')).toBe(12)
    expect(sample(parsed, 'cache_load_errors_total{name="items"}')).toBe(1)
    expect(sample(parsed, 'cache_evictions_total{name="items"}')).toBe(6)
    expect(sample(parsed, 'cache_entries{name="items"}')).toBe(42)
    expect(parsed.types.get('cache_entries')).toBe('gauge')
    expect(cache.eventNames()).toEqual([])
  })

  it('labels several primitives of one kind by name', async () => {
    metrics = createMetrics({ eventLoop: false })
    const other = new FakeLimiter()
    other.state = { ...other.state, totalTokens: 5 }
    metrics.track(new FakeLimiter(), { name: 'db' })
    metrics.track(other, { name: 'search' })
    const parsed = await scrape()
    expect(sample(parsed, 'limiter_tokens{name="db"}')).toBe(40)
    expect(sample(parsed, 'limiter_tokens{name="search"}')).toBe(5)
  })

  it('untrack detaches every listener and drops the series', async () => {
    metrics = createMetrics({ eventLoop: false })
    const pool = new FakeWorkerPool()
    const untrack = metrics.track(pool, { name: 'cpu' })
    expect(pool.listenerCount('taskEnd')).toBe(1)
    pool.emit('taskEnd', { durationMs: 1, waitMs: 1 })
    untrack()
    untrack()
    expect(pool.eventNames()).toEqual([])
    const text = await metrics.render()
    expect(text).not.toContain('name="cpu"')
    metrics.track(pool, { name: 'cpu' })
    expect(sample(await scrape(), 'pool_task_duration_seconds_count{name="cpu"}')).toBe(0)
  })

  it('close() untracks everything', () => {
    metrics = createMetrics({ eventLoop: false })
    const pool = new FakeWorkerPool()
    const batcher = new FakeBatcher()
    metrics.track(pool, { name: 'cpu' })
    metrics.track(batcher, { name: 'users' })
    metrics.close()
    expect(pool.eventNames()).toEqual([])
    expect(batcher.eventNames()).toEqual([])
  })

  it('keeps a scrape alive when a primitive’s stats() throws, and counts it', async () => {
    metrics = createMetrics({ eventLoop: false })
    const cache = new FakeTtlCache()
    metrics.track(cache, { name: 'items' })
    metrics.track(new FakeLimiter(), { name: 'db' })
    cache.stats = () => {
      throw new Error('closed')
    }
    await scrape()
    const parsed = await scrape()
    expect(parsed.samples.has('cache_hits_total{name="items"}')).toBe(false)
    expect(sample(parsed, 'limiter_tokens{name="db"}')).toBe(40)
    expect(sample(parsed, 'metrics_collect_errors_total{kind="cache",name="items"}')).toBe(2)
  })

  it('skips values a primitive reports that cannot be exported', async () => {
    metrics = createMetrics({ eventLoop: false })
    const limiter = new FakeLimiter()
    metrics.track(limiter)
    limiter.state = {
      ...limiter.state,
      acquired: -3,
      waiting: 'many' as never,
      borrowedTokens: Number.NaN,
    }
    const parsed = await scrape()
    expect(parsed.samples.has('limiter_acquired_total{name="db"}')).toBe(false)
    expect(parsed.samples.has('limiter_waiting{name="db"}')).toBe(false)
    expect(parsed.samples.has('limiter_tokens_borrowed{name="db"}')).toBe(false)
    expect(sample(parsed, 'limiter_tokens{name="db"}')).toBe(40)
  })

  it('uses the primitive’s own name when none is given, then the name in its stats', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.track(new FakeLimiter())
    metrics.track({ stats: () => new FakeTtlCache().stats() })
    const parsed = await scrape()
    expect(sample(parsed, 'limiter_tokens{name="db"}')).toBe(40)
    expect(sample(parsed, 'cache_entries{name="cache"}')).toBe(42)
  })

  it('asks for a name when the primitive has none, and checks the options like every options bag', () => {
    metrics = createMetrics({ eventLoop: false })
    const { name: _, ...nameless } = new FakeTtlCache().stats()
    const attempt = (options?: unknown) => () =>
      metrics.track({ stats: () => nameless } as never, options as never)
    expect(attempt()).toThrow(
      /track\(\) options.name must be a non-empty string for the "name" label: pass \{ name \}, since the primitive has no name of its own, got undefined/,
    )
    expect(attempt()).toThrow(expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION' }))
    expect(attempt({ name: '' })).toThrow(TypeError)
    expect(attempt({ name: '' })).toThrow(/name must be a non-empty string, got ""/)
    expect(attempt('items')).toThrow(/track\(\) options must be an options object, got "items"/)
    expect(attempt({ nmae: 'items' })).toThrow(
      /Unknown option "nmae" in track\(\) options \(did you mean "name"\?\)/,
    )
    expect(attempt({ name: 'items' })).not.toThrow()
  })

  it('refuses the same primitive twice and two of a kind under one name', () => {
    metrics = createMetrics({ eventLoop: false })
    const cache = new FakeTtlCache()
    metrics.track(cache, { name: 'items' })
    expect(() => metrics.track(cache, { name: 'other' })).toThrow(AlreadyTrackedError)
    expect(() => metrics.track(new FakeTtlCache(), { name: 'items' })).toThrow(
      /A TtlCache named "items" is already tracked; pass a distinct \{ name \}/,
    )
    expect(() => metrics.track(new FakeLimiter(), { name: 'items' })).not.toThrow()
  })

  it.each([
    ['a number', 42, /got 42$/],
    ['null', null, /got null$/],
    ['an object without stats', { size: 1 }, /got an object without stats\(\)$/],
    [
      'a limiter that still has statistics()',
      { statistics: () => new FakeLimiter().stats() },
      /got an object with statistics\(\) but no stats\(\) \(a limiter from before stats\(\) replaced statistics\(\): upgrade @loopwork\/limiter\)$/,
    ],
    [
      'a supervisor with the old field names',
      { stats: () => ({ active: 1, started: 1, succeeded: 1, failed: 0, aborted: 0 }) },
      /got an object with stats\(\) returning \{ active, started, succeeded, failed, aborted \}$/,
    ],
    [
      'an object with other stats',
      { stats: () => ({ apples: 1, pears: 2 }) },
      /got an object with stats\(\) returning \{ apples, pears \}$/,
    ],
    [
      'stats() returning nothing',
      { stats: () => undefined },
      /got an object with stats\(\) returning no object$/,
    ],
  ])('rejects %s, naming every shape it expected', (_, value, got) => {
    metrics = createMetrics({ eventLoop: false })
    let thrown: unknown
    try {
      metrics.track(value as never, { name: 'x' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UnrecognisedPrimitiveError)
    expect(thrown).toMatchObject({ code: 'LOOPWORK_UNRECOGNISED_PRIMITIVE' })
    expect(thrown).toBeInstanceOf(LoopworkError)
    const message = (thrown as Error).message
    for (const shape of [
      'CapacityLimiter (stats()',
      'WorkerPool (stats()',
      'TaskQueue',
      'TaskSupervisor',
      'Batcher',
      'TtlCache',
      'OverloadGuard',
    ]) {
      expect(message).toContain(shape)
    }
    expect(message).toMatch(got)
  })

  it('tracks a primitive without events through stats alone', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.track({ stats: () => new FakeBatcher().stats() }, { name: 'plain' })
    expect(sample(await scrape(), 'batcher_batches_total{name="plain"}')).toBe(5)
  })
})
