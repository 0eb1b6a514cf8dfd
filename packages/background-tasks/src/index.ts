export { BackgroundTasks } from './background-tasks.js'
export type {
  BackgroundTaskInfo,
  BackgroundTasksOptions,
  BackgroundTasksReport,
  RunOptions,
} from './background-tasks-options.js'
export { type BackoffOptions, DEFAULT_BACKOFF, type ResolvedBackoff } from './backoff.js'
export {
  BackgroundTasksError,
  type BackgroundTasksErrorCode,
  JobDataError,
  JobFailedError,
  JobNotFoundError,
  JobTimeoutError,
  QueueClosedError,
  QueueFullError,
  SupervisorDrainingError,
  SupervisorFullError,
  TaskAbortedError,
  TasksAlreadyRunError,
  TaskTimeoutError,
  UnknownJobError,
  UnrecoverableJobError,
} from './errors.js'
export { MAX_PRIORITY, MIN_PRIORITY } from './job-options.js'
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_KEEP_COMPLETED,
  DEFAULT_MAX_DEAD_LETTERS,
  DEFAULT_QUEUE_MAX_SIZE,
} from './queue-settings.js'
export { TaskQueue } from './task-queue.js'
export type { TaskQueueOptions } from './task-queue-options.js'
export type {
  AddArguments,
  AddJobOptions,
  CloseOptions,
  CloseReport,
  DeadLetter,
  JobContext,
  JobData,
  JobHandler,
  JobHandlers,
  JobId,
  JobInfo,
  JobName,
  JobResult,
  ResultOptions,
  TaskQueueApi,
  TaskQueueEvents,
  TaskQueueStats,
} from './task-queue-types.js'
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_ACTIVE,
  TaskSupervisor,
} from './task-supervisor.js'
export type {
  DrainOptions,
  DrainReport,
  SpawnOptions,
  SupervisedTask,
  TaskContext,
  TaskHandle,
  TaskInfo,
  TaskOutcome,
  TaskSupervisorEvents,
  TaskSupervisorOptions,
  TaskSupervisorStats,
} from './task-supervisor-options.js'
