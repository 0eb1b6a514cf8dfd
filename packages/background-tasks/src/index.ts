/**
 * Work outside the request/response path without losing errors or jobs: `BackgroundTasks` for work
 * to do once a response has been sent, `TaskSupervisor` for fire-and-forget tasks that are watched
 * and drained at shutdown, and `TaskQueue` for jobs with retries, here in memory (the same
 * interface is durable from `/sqlite` and `/bullmq`).
 *
 * @module @loopwork/background-tasks
 */
export { BackgroundTasks } from './background-tasks.js'
export type {
  BackgroundTaskInfo,
  BackgroundTasksOptions,
  BackgroundTasksReport,
  RunOptions,
} from './background-tasks-options.js'
export * from './errors.js'
export { TaskQueue } from './task-queue.js'
export {
  type AddArguments,
  type AddJobOptions,
  type BackoffOptions,
  type CloseOptions,
  type CloseReport,
  DEFAULT_ADD_TIMEOUT_MS,
  DEFAULT_BACKOFF,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_KEEP_COMPLETED,
  DEFAULT_MAX_DEAD_LETTERS,
  DEFAULT_MAX_WAITING,
  type DeadLetter,
  type JobContext,
  type JobData,
  type JobHandler,
  type JobHandlers,
  type JobId,
  type JobInfo,
  type JobName,
  type JobResult,
  MAX_PRIORITY,
  MIN_PRIORITY,
  type ResolvedBackoff,
  type ResultOptions,
  type TaskQueueApi,
  type TaskQueueCompleteEvent,
  type TaskQueueEvents,
  type TaskQueueFailEvent,
  type TaskQueueIdleEvent,
  type TaskQueueOptions,
  type TaskQueueRetryEvent,
  type TaskQueueStats,
} from './task-queue-options.js'
export { TaskSupervisor } from './task-supervisor.js'
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_RUNNING,
  type DrainOptions,
  type DrainReport,
  type SpawnOptions,
  type SupervisedTask,
  type TaskContext,
  type TaskHandle,
  type TaskInfo,
  type TaskOutcome,
  type TaskSupervisorEvents,
  type TaskSupervisorFailEvent,
  type TaskSupervisorOptions,
  type TaskSupervisorStats,
} from './task-supervisor-options.js'
