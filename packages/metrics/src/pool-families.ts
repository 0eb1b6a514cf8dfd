import { DEFAULT_REQUEST_BUCKETS } from './default-buckets.js'
import { subscribe } from './event-subscription.js'
import type { KindSpec } from './kind-spec.js'

/** Exit reasons of `@loopwork/thread-offload`; anything else counts as `other`, so the label stays bounded. */
const exitReasons = [
  'idle',
  'crash',
  'abort',
  'timeout',
  'close',
  'startup-failure',
  'other',
] as const

/**
 * A `WorkerPool`: gauges and counts from `stats()` at scrape time; task run and wait times from
 * `taskEnd` events (its percentiles cannot be aggregated across instances, a histogram can).
 */
export const poolKind: KindSpec = {
  kind: 'pool',
  families: [
    { name: 'pool_threads', help: 'Worker threads alive.', type: 'gauge', field: 'threads' },
    {
      name: 'pool_threads_busy',
      help: 'Worker threads running a task.',
      type: 'gauge',
      field: 'busy',
    },
    { name: 'pool_queued', help: 'Tasks waiting for a thread.', type: 'gauge', field: 'queued' },
    {
      name: 'pool_utilization',
      help: 'Share of thread time spent running tasks (0..1).',
      type: 'gauge',
      field: 'utilization',
      aggregator: 'average',
    },
    {
      name: 'pool_tasks_completed_total',
      help: 'Tasks that completed.',
      type: 'counter',
      field: 'completed',
    },
    {
      name: 'pool_tasks_failed_total',
      help: 'Tasks that failed.',
      type: 'counter',
      field: 'failed',
    },
    {
      name: 'pool_thread_spawns_total',
      help: 'Worker threads started.',
      type: 'counter',
      field: 'threadSpawns',
      fromEvents: true,
    },
    {
      name: 'pool_thread_exits_total',
      help: 'Worker threads that exited, by reason (idle exits are normal scale-down, crashes are not).',
      type: 'counter',
      fromEvents: true,
      split: {
        label: 'reason',
        fields: Object.fromEntries(exitReasons.map((reason) => [reason, `threadExits:${reason}`])),
      },
    },
  ],
  histograms: [
    {
      name: 'pool_task_duration_seconds',
      help: 'Time tasks ran on a worker thread.',
      buckets: DEFAULT_REQUEST_BUCKETS,
    },
    {
      name: 'pool_task_wait_seconds',
      help: 'Time tasks waited for a worker thread.',
      buckets: DEFAULT_REQUEST_BUCKETS,
    },
  ],
  listen(source, sink) {
    const duration = sink.histogram('pool_task_duration_seconds')
    const wait = sink.histogram('pool_task_wait_seconds')
    return subscribe(source, {
      taskEnd: (event?: { durationMs?: unknown; waitMs?: unknown }) => {
        duration(toSeconds(event?.durationMs))
        wait(toSeconds(event?.waitMs))
      },
      threadSpawn: () => sink.count('threadSpawns'),
      threadExit: (event?: { reason?: unknown }) =>
        sink.count(`threadExits:${exitReason(event?.reason)}`),
    })
  },
}

function exitReason(reason: unknown): string {
  return typeof reason === 'string' && (exitReasons as readonly string[]).includes(reason)
    ? reason
    : 'other'
}

function toSeconds(milliseconds: unknown): unknown {
  return typeof milliseconds === 'number' ? milliseconds / 1000 : undefined
}
