export { type BullMQTaskQueueOptions, DEFAULT_REDIS_URL } from './bullmq-options.js'
export { HAND_BACK_GRACE_MS, TaskQueue } from './bullmq-task-queue.js'
