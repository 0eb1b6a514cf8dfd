export { adoptResult, adoptThenable, isThenable } from './adopt-result.ts'
export { describeValue, messageOf } from './describe-value.ts'
export {
  AbortError,
  abortErrorFor,
  ClosedError,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
  type SharedErrorCode,
  TimeoutError,
  UnsupportedRuntimeError,
} from './errors.ts'
export { LinkedList, type ListNode } from './linked-list.ts'
// The option checks themselves are the `./options` subpath, imported whole as a namespace
// (`import * as option from '@loopwork/internal/options'`): a bundler turns `option.integer` into a
// direct call and drops the checks a package does not use, which it cannot do for a namespace
// re-exported from here.
export { INVALID_OPTION_CODE, MAX_TIMEOUT_MS } from './options.ts'
export {
  currentRuntime,
  detectRuntime,
  type RuntimeKey,
  runtimeName,
  timersOutliveRequests,
} from './runtime.ts'
export { startInterval, startTimer } from './timers.ts'
