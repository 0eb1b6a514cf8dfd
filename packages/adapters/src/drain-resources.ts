/**
 * Something to stop at shutdown, recognised by shape so any loopwork primitive (or your own) fits:
 * `drain()` (TaskSupervisor), `close()` (TaskQueue, WorkerPool, overload guard, caches) and, for
 * what does not finish in time, `destroy()` (WorkerPool).
 */
export interface ShutdownResource {
  /** Used in the report; falls back to the class name. */
  readonly name?: string | undefined
  drain?(options?: { timeoutMs?: number }): unknown
  close?(options?: { timeoutMs?: number }): unknown
  destroy?(): unknown
}

/** What happened to one resource at shutdown. */
export interface ResourceReport {
  /** The resource's `name`, or its class name. */
  readonly name: string
  /**
   * `drained`: it finished in time; `aborted`: the deadline passed and what was left was aborted
   * (listed in `aborted` where the resource reports it); `failed`: stopping it threw.
   */
  readonly outcome: 'drained' | 'aborted' | 'failed'
  /** Work that was aborted, as the resource reported it (a TaskSupervisor's drain report lists tasks). */
  readonly aborted: readonly unknown[]
  /** The error stopping it threw, for `failed`. */
  readonly error?: unknown
}

/**
 * Stops `resources` one after another (in the order given: stop what produces work before what
 * runs it), each within what is left of the deadline. A resource still busy at the deadline is
 * destroyed when it can be and reported as aborted. Never rejects.
 */
export async function drainResources(
  resources: readonly ShutdownResource[],
  deadline: number,
): Promise<ResourceReport[]> {
  const reports: ResourceReport[] = []
  for (const resource of resources) reports.push(await drainOne(resource, deadline))
  return reports
}

async function drainOne(resource: ShutdownResource, deadline: number): Promise<ResourceReport> {
  const name = resource.name ?? resource.constructor?.name ?? 'resource'
  const timeoutMs = Math.max(0, deadline - Date.now())
  try {
    const stopping =
      typeof resource.drain === 'function'
        ? resource.drain({ timeoutMs })
        : typeof resource.close === 'function'
          ? resource.close({ timeoutMs })
          : undefined
    const settled = await withinDeadline(Promise.resolve(stopping), timeoutMs)
    if (settled === DEADLINE_PASSED) {
      if (typeof resource.destroy === 'function') await resource.destroy()
      return { name, outcome: 'aborted', aborted: [] }
    }
    const aborted = abortedWork(settled)
    return { name, outcome: aborted.length > 0 ? 'aborted' : 'drained', aborted }
  } catch (error) {
    return { name, outcome: 'failed', aborted: [], error }
  }
}

const DEADLINE_PASSED = Symbol('deadline passed')

/** Waits for `promise`, but no longer than `timeoutMs` (a small grace lets drains that time out themselves report first). */
function withinDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
): Promise<T | typeof DEADLINE_PASSED> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<typeof DEADLINE_PASSED>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE_PASSED), timeoutMs + GRACE_MS)
    timer.unref()
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/** Time a resource that enforces the same deadline itself gets to hand in its own report. */
const GRACE_MS = 50

/** The aborted work a drain report lists (TaskSupervisor: `{ aborted: TaskInfo[] }`). */
function abortedWork(report: unknown): readonly unknown[] {
  const aborted = (report as { aborted?: unknown } | undefined)?.aborted
  return Array.isArray(aborted) ? aborted : []
}
