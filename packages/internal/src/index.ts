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
export {
  anyOption,
  booleanOption,
  checkOptions,
  closestName,
  durationOption,
  functionOption,
  INVALID_OPTION_CODE,
  type IntegerBounds,
  type InvalidOptionError,
  integerOption,
  invalidOption,
  MAX_TIMEOUT_MS,
  nameOption,
  numberOption,
  type OptionCheck,
  type OptionSchema,
  objectOption,
  oneOfOption,
  optionError,
  signalOption,
  stringOption,
  waitOptionsSchema,
} from './options.ts'
export {
  currentRuntime,
  detectRuntime,
  type RuntimeKey,
  runtimeName,
  timersOutliveRequests,
} from './runtime.ts'
export { startInterval, startTimer } from './timers.ts'
