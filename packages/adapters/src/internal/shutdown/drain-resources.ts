import { adoptResult, MAX_TIMEOUT_MS, startTimer } from '@loopwork/internal'
import type { ResourceReport, ShutdownResource } from '../../types.js'

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
  // An infinite deadline stays Infinity (no timer); a finite one is what is left of it.
  const timeoutMs = Math.max(0, deadline - Date.now())
  try {
    const stopping =
      typeof resource.drain === 'function'
        ? resource.drain({ timeoutMs })
        : typeof resource.close === 'function'
          ? resource.close({ timeoutMs })
          : undefined
    // What drain()/close() returned is adopted once: a lazy thenable must not run twice.
    const settled = await withinDeadline(adoptResult(stopping), timeoutMs)
    if (settled === DEADLINE_PASSED) {
      if (typeof resource.destroy === 'function') await adoptResult(resource.destroy())
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
  if (timeoutMs === Number.POSITIVE_INFINITY) return promise
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<typeof DEADLINE_PASSED>((resolve) => {
    timer = startTimer(
      () => resolve(DEADLINE_PASSED),
      Math.min(timeoutMs + GRACE_MS, MAX_TIMEOUT_MS),
    )
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
