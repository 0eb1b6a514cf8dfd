// The framework-neutral description of a test server. Each framework's builder turns it into a real
// app wired with that framework's adapter, so every conformance test is written once.
import type { BackgroundTasks } from '@loopwork/background-tasks'
import type { Metrics } from '@loopwork/metrics'
import type { WorkerPool } from '@loopwork/thread-offload'
import type {
  BackgroundTasksMiddlewareOptions,
  ConcurrencyLimitOptions,
  LoadSheddingOptions,
  OffloadOptions,
  ResponseCacheOptions,
  ShutdownOptions,
  ShutdownReport,
  StreamOptions,
  StreamSource,
} from '../../src/index.js'

export interface TestRequest {
  readonly params: Record<string, string>
  readonly query: Record<string, unknown>
  readonly headers: Record<string, string | string[] | undefined>
  /** The framework's typed background tasks (when the feature is on). */
  readonly backgroundTasks: BackgroundTasks | undefined
  /** Whether the Node response has been fully handed to the OS, read from the framework's own response. */
  responseFinished(): boolean
}

export type TestReply =
  | {
      readonly status?: number
      readonly json?: unknown
      readonly text?: string
      readonly headers?: Record<string, string>
    }
  | { readonly stream: StreamSource; readonly options?: StreamOptions }

/** A route served by the adapter's `offload()` instead of a handler. */
export interface TestOffload {
  readonly pool: WorkerPool<any>
  readonly task: string
  readonly mapArgs: (request: TestRequest) => unknown[] | PromiseLike<unknown[]>
  readonly options?: OffloadOptions
}

export type TestRoute = {
  readonly method: 'GET' | 'POST' | 'HEAD'
  readonly path: string
} & (
  | { handle(request: TestRequest): TestReply | Promise<TestReply> }
  | { readonly offload: TestOffload }
)

/**
 * Features are registered in this order, before the routes: request metrics (with a `/metrics`
 * route), load shedding (with a `/health` route), background tasks, concurrency limit, response cache.
 */
export interface TestApp {
  readonly responseCache?: ResponseCacheOptions
  readonly metrics?: Metrics
  readonly loadShedding?: LoadSheddingOptions
  readonly backgroundTasks?: BackgroundTasksMiddlewareOptions
  readonly concurrencyLimit?: ConcurrencyLimitOptions
  readonly shutdown?: ShutdownOptions
  readonly routes: readonly TestRoute[]
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The framework's graceful shutdown (the helper, or `app.close()` with the plugin). */
  shutdown(): Promise<ShutdownReport>
  /** Test teardown: closes everything at once. */
  close(): Promise<void>
}

export interface Framework {
  readonly name: 'express' | 'fastify' | 'hono'
  start(app: TestApp): Promise<RunningServer>
}

/** Routes and query values as plain strings. */
export function plainRecord(value: unknown): Record<string, string> {
  return { ...(value as Record<string, string>) }
}
