import type { ServerResponse } from 'node:http'
import { assertOptionalSeconds } from './option-validation.js'

/** Why a request was answered 503 before its handler ran. */
export type RefusalReason = 'concurrency-limit' | 'overloaded' | 'pool-saturated' | 'shutting-down'

/**
 * A ready-made 503 answer. Middlewares build theirs once, so refusing a request under overload
 * (when every cycle counts) allocates nothing.
 */
export interface ServiceUnavailable {
  /** Always 503. */
  readonly status: 503
  /** `retry-after`, `content-type` and `cache-control: no-store`. */
  readonly headers: Readonly<Record<string, string>>
  /** A small JSON body naming the reason: `{"error":"Service Unavailable","reason":"..."}`. */
  readonly body: string
}

/** The `Retry-After` the adapters send unless told otherwise, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1

/**
 * Builds the 503 answer for `reason`, telling clients to retry after `retryAfterSeconds`
 * (validated: a whole number of seconds from 0).
 */
export function serviceUnavailable(
  reason: RefusalReason,
  retryAfterSeconds: number | undefined,
  detail?: string,
): ServiceUnavailable {
  const seconds =
    assertOptionalSeconds('retryAfterSeconds', retryAfterSeconds) ?? DEFAULT_RETRY_AFTER_SECONDS
  return Object.freeze({
    status: 503,
    headers: Object.freeze({
      'retry-after': String(seconds),
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
