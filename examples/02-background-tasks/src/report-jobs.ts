import { setTimeout as sleep } from 'node:timers/promises'
import type { JobContext } from '@loopwork/background-tasks'
import { announceStart } from './worker-process.js'

/** A report to render: which one, and how long rendering takes. */
export interface ReportRequest {
  reportId: number
  renderMs: number
}

/** What a rendered report says about who rendered it. */
export interface RenderedReport {
  reportId: number
  renderedBy: string
}

/**
 * The job handlers every process of the BullMQ walk-through shares: the same names and payload
 * types in the producer and the workers. `worker` names the process in results.
 */
export function reportHandlers(worker: string) {
  return {
    renderReport: async (request: ReportRequest, job: JobContext): Promise<RenderedReport> => {
      announceStart(worker, job)
      await sleep(request.renderMs, undefined, { signal: job.signal })
      return { reportId: request.reportId, renderedBy: worker }
    },
  }
}
