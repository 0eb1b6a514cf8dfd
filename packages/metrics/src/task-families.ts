import type { KindSpec } from './kind-spec.js'

/** A `TaskQueue`: depth and counts from `stats()` at scrape time. */
export const queueKind: KindSpec = {
  kind: 'queue',
  families: [
    {
      name: 'queue_waiting',
      help: 'Jobs waiting to run (queue depth).',
      type: 'gauge',
      field: 'waiting',
    },
    { name: 'queue_active', help: 'Jobs running.', type: 'gauge', field: 'active' },
    {
      name: 'queue_delayed',
      help: 'Jobs scheduled for later (retries with backoff, delayed jobs).',
      type: 'gauge',
      field: 'delayed',
    },
    {
      name: 'queue_dead_letters',
      help: 'Jobs that exhausted their retries and were set aside.',
      type: 'gauge',
      field: 'deadLetters',
    },
    {
      name: 'queue_completed_total',
      help: 'Jobs that completed.',
      type: 'counter',
      field: 'completed',
    },
    {
      name: 'queue_failed_total',
      help: 'Jobs that failed for good.',
      type: 'counter',
      field: 'failed',
    },
    {
      name: 'queue_retries_total',
      help: 'Job attempts that failed and were retried.',
      type: 'counter',
      field: 'retried',
    },
  ],
}

/** A `TaskSupervisor`: counts from `stats()` at scrape time. */
export const supervisorKind: KindSpec = {
  kind: 'supervisor',
  families: [
    {
      name: 'background_tasks_active',
      help: 'Background tasks running.',
      type: 'gauge',
      field: 'active',
    },
    {
      name: 'background_tasks_started_total',
      help: 'Background tasks started.',
      type: 'counter',
      field: 'started',
    },
    {
      name: 'background_tasks_succeeded_total',
      help: 'Background tasks that succeeded.',
      type: 'counter',
      field: 'succeeded',
    },
    {
      name: 'background_tasks_failed_total',
      help: 'Background tasks that failed.',
      type: 'counter',
      field: 'failed',
    },
    {
      name: 'background_tasks_aborted_total',
      help: 'Background tasks aborted (shutdown, signal).',
      type: 'counter',
      field: 'aborted',
    },
  ],
}
