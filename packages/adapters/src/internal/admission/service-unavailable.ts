import type { ServerResponse } from 'node:http'
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  type RefusalReason,
  type ServiceUnavailable,
} from '../../types.js'

/**
 * Builds the 503 answer for `reason`, telling clients to retry after `retryAfterSeconds` (already
 * checked by the caller's options check), once per middleware.
 */
export function serviceUnavailable(
  reason: RefusalReason,
  retryAfterSeconds: number | undefined,
  detail?: string,
): ServiceUnavailable {
  return Object.freeze({
    status: 503,
    headers: Object.freeze({
      'retry-after': String(retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS),
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    }),
    body: JSON.stringify(
      detail === undefined
        ? { error: 'Service Unavailable', reason }
        : { error: 'Service Unavailable', reason, detail },
    ),
  })
}

/** Writes a ready-made 503 to a Node response (Express, or any framework on Node). */
export function writeServiceUnavailable(
  response: ServerResponse,
  answer: ServiceUnavailable,
): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  response.writeHead(answer.status, answer.headers).end(answer.body)
}
