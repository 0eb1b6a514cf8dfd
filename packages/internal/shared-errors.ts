// The shared errors as a package that queues work re-exports them: the base class, its guard, and
// the four classes of docs/conventions.md (aborted, timed out, queue full, closed). Such a package's
// `errors.ts` re-exports this module in one line; a package that throws fewer of them names the ones
// it throws. It sits beside package.json rather than in src/ because the declaration bundler finds
// a subpath as a file of that name, not through `exports`.
export {
  AbortError,
  ClosedError,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
  TimeoutError,
} from './src/errors.ts'
