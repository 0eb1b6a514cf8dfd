/** Any function a worker module may export as a task. */
export type TaskFunction = (...args: any[]) => unknown

/** The shape of a worker module, as `typeof import('./tasks.js')` gives it. */
export type TaskModule = object

/** A module about which nothing is known: any name, any arguments, an `unknown` result. */
export type AnyTaskModule = Record<string, TaskFunction>

/** The names of the module's exported functions. */
export type TaskName<M extends TaskModule> = {
  [K in keyof M & string]: M[K] extends TaskFunction ? K : never
}[keyof M & string]

/** The argument list of task `K`, as a tuple. */
export type TaskArgs<M extends TaskModule, K extends TaskName<M>> = M[K] extends (
  ...args: infer A
) => unknown
  ? A
  : never

/** What a call of task `K` resolves to (a task's promise is awaited in its thread). */
export type TaskResult<M extends TaskModule, K extends TaskName<M>> = M[K] extends (
  ...args: any[]
) => infer R
  ? Awaited<R>
  : never
