export type { BackgroundTasksMiddlewareOptions } from '../after-response-tasks.js'
export type { ConcurrencyLimitOptions } from '../concurrency-limit-options.js'
export type { ResourceReport, ShutdownResource } from '../drain-resources.js'
export { shutdown } from '../server-shutdown.js'
export type { ShutdownOptions, ShutdownReport } from '../shutdown-options.js'
export type { StreamOptions, StreamOutcome, StreamSource } from '../stream-source.js'
export {
  type BackgroundTasksEnv,
  type BackgroundTasksMiddleware,
  backgroundTasks,
} from './background-tasks.js'
export { concurrencyLimit } from './concurrency-limit.js'
export type { NodeResponseBindings } from './node-bindings.js'
export { streamIterable } from './stream-iterable.js'
