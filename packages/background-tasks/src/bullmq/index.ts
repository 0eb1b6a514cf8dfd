export type { BullMQTaskQueueOptions } from './bullmq-options.js'
export { DEFAULT_REDIS_URL } from './bullmq-settings.js'
export { HAND_BACK_GRACE_MS, TaskQueue } from './bullmq-task-queue.js'
