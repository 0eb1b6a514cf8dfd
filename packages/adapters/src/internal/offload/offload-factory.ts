import type { TaskModule, TaskName } from '@loopwork/thread-offload'
import type { OffloadedHandlerFactory } from '../../types.js'
import { Offloader } from './offloader.js'

/**
 * A framework's `offload()`, made from how that framework serves a request through an Offloader:
 * the pool, task, `mapArgs` and options are checked once, when the route is declared, and the
 * handler only turns requests into calls and answers.
 */
export function offloadFactory<FrameworkRequest, FrameworkHandler>(
  handlerFor: <M extends TaskModule, K extends TaskName<M>>(
    offloader: Offloader<M, K, FrameworkRequest>,
  ) => FrameworkHandler,
): OffloadedHandlerFactory<FrameworkRequest, FrameworkHandler> {
  return (pool, task, mapArgs, options) => handlerFor(new Offloader(pool, task, mapArgs, options))
}
