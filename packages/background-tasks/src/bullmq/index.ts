/**
 * `TaskQueue` with its jobs in Redis, on BullMQ: producers and workers in any number of processes
 * and machines. Use it when jobs must be shared beyond one machine. Needs `bullmq` and `ioredis`.
 *
 * @module @loopwork/background-tasks/bullmq
 */
export { DEFAULT_ADD_TIMEOUT_MS } from '../task-queue-options.js'
export { type BullMQTaskQueueOptions, DEFAULT_REDIS_URL } from './bullmq-options.js'
export { HAND_BACK_GRACE_MS, TaskQueue } from './bullmq-task-queue.js'
