import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { BackgroundTasks } from '@loopwork/background-tasks'
import { heading, say } from './narration.js'

/**
 * Part 1: per-request BackgroundTasks. The handler queues work, answers, and the tasks run once
 * the response has been sent; a failing task is reported and the next one still runs.
 */
export async function walkThroughAfterResponseTasks(): Promise<void> {
  heading('1. BackgroundTasks: the response first, then the work')
  const started = performance.now()
  const timeline: string[] = []
  const mark = (event: string) =>
    timeline.push(`${(performance.now() - started).toFixed(1).padStart(7)} ms  ${event}`)

  const sendWelcomeEmail = async (address: string) => {
    mark(`task sendWelcomeEmail(${address}) starts`)
    await sleep(50)
    mark('task sendWelcomeEmail ends')
  }
  const recordAudit = () => {
    mark('task recordAudit starts and throws')
    throw new Error('audit store is read-only')
  }
  const updateSignupCount = () => mark('task updateSignupCount runs (after the failure)')

  let tasksDone: Promise<unknown> = Promise.resolve()
  const server = createServer((_request, response) => {
    const tasks = new BackgroundTasks({
      onError: (error, task) =>
        mark(`onError: task "${task.name}" failed: ${(error as Error).message}`),
    })
    tasks.add(sendWelcomeEmail, 'ada@example.com')
    tasks.add(recordAudit)
    tasks.add(updateSignupCount)
    // The adapters do this for you: the tasks start once the response has been handed to the OS.
    response.once('finish', () => {
      mark('server: response finished')
      tasksDone = tasks.run().then((report) => {
        mark(`tasks report: ${report.succeeded} succeeded, ${report.failed} failed`)
      })
    })
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ signedUp: true }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  const response = await fetch(`http://127.0.0.1:${port}/signup`, { method: 'POST' })
  mark(`client: got ${response.status} ${JSON.stringify(await response.json())}`)
  await sleep(60)
  await tasksDone
  server.close()
  for (const line of timeline) say(line)
  say('The client had its answer without waiting for the e-mail; the audit failure was reported,')
  say('and unlike Starlette (which stops at the first exception) the task after it still ran.')
}
