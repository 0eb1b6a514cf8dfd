import type { ServerResponse } from 'node:http'
import { writeServiceUnavailable } from '../admission/service-unavailable.js'
import { type OffloadAnswer, TASK_FAILED_BODY } from './offloader.js'

/** Writes an offloaded call's answer to a Node response (Express). */
export function writeOffloadAnswer(response: ServerResponse, answer: OffloadAnswer): void {
  if (answer.kind === 'gone') return
  if (answer.kind === 'refused') {
    writeServiceUnavailable(response, answer.answer)
    return
  }
  if (response.headersSent) return
  if (answer.kind === 'failed') {
    response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
    response.end(TASK_FAILED_BODY)
    return
  }
  response.writeHead(200, { 'content-type': answer.contentType })
  response.end(answer.body)
}

/** An `AbortSignal` that aborts when the client goes away before the response is complete. */
export function disconnectSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController()
  response.once('close', () => {
    if (!response.writableFinished) controller.abort()
  })
  return controller.signal
}
