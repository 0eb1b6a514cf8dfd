/**
 * Work outside the request/response path without losing errors or jobs: `BackgroundTasks` for work
 * to do once a response has been sent, `TaskSupervisor` for fire-and-forget tasks that are watched
 * and drained at shutdown, and `TaskQueue` for jobs with retries, here in memory (the same
 * interface is durable from `/sqlite` and `/bullmq`).
 *
 * @module @loopwork/background-tasks
 */
export { BackgroundTasks } from './background-tasks.js'
export type * from './background-tasks-options.js'
export * from './errors.js'
export { TaskQueue } from './task-queue.js'
export * from './task-queue-options.js'
export { TaskSupervisor } from './task-supervisor.js'
export * from './task-supervisor-options.js'
