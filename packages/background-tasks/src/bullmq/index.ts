export { DEFAULT_ADD_TIMEOUT_MS } from '../task-queue-options.js'
export { type BullMQTaskQueueOptions, DEFAULT_REDIS_URL } from './bullmq-options.js'
export { HAND_BACK_GRACE_MS, TaskQueue } from './bullmq-task-queue.js'
