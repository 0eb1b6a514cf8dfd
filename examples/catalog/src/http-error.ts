import { STATUS_CODES } from 'node:http'
import { isLoopworkError } from '@loopwork/batcher'
import { CatalogError, type CatalogErrorCode } from './errors.js'

/** The JSON body of an error response. */
export interface ErrorBody {
  error: string
  code: string
  message: string
}

const statuses: Record<CatalogErrorCode, number> = {
  CATALOG_INVALID_ORDER: 400,
  CATALOG_INVALID_ITEM_ID: 400,
  CATALOG_INVALID_QUERY: 400,
  CATALOG_UNKNOWN_ITEM: 404,
  CATALOG_UNKNOWN_ORDER: 404,
  CATALOG_OUT_OF_STOCK: 409,
}

/** How long a client refused with 503 is asked to wait before it retries, in seconds. */
export const retryAfterSeconds = 1

/** A framework's own client error (a malformed JSON body, a body too large...): it carries its 4xx status. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown }
  const candidate = typeof statusCode === 'number' ? statusCode : status
  return typeof candidate === 'number' && candidate >= 400 && candidate < 500
    ? candidate
    : undefined
}

/**
 * The HTTP answer for an error a route threw: the catalog's own errors keep their message and
 * code; a bound of a loopwork primitive that was reached (the item batcher's `maxWaiting`, the
 * follow-up queue's `maxWaiting`) or a primitive that is closing (an order placed while the
 * service shuts down) is a 503 with `Retry-After` (in `headers`), recognised by its code whichever
 * package threw it; a framework's client error (malformed JSON...) keeps its 4xx status; anything
 * else is a 500 that says nothing about the server's insides (the error itself goes to the log,
 * not to the client).
 *
 * @example
 * const { status, body, headers } = httpErrorOf(error)
 * reply.code(status).headers(headers ?? {}).send(body)
 */
export function httpErrorOf(error: unknown): {
  status: number
  body: ErrorBody
  headers?: Record<string, string>
} {
  if (error instanceof CatalogError) {
    return {
      status: statuses[error.code],
      body: { error: error.name, code: error.code, message: error.message },
    }
  }
  if (isLoopworkError(error, 'LOOPWORK_QUEUE_FULL') || isLoopworkError(error, 'LOOPWORK_CLOSED')) {
    return {
      status: 503,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: {
        error: 'ServiceUnavailable',
        code: error.code,
        message:
          error.code === 'LOOPWORK_CLOSED' ? 'shutting down, retry later' : 'too busy, retry later',
      },
    }
  }
  const clientStatus = clientErrorStatus(error)
  if (clientStatus !== undefined) {
    return {
      status: clientStatus,
      body: {
        // The status's own name (`PayloadTooLarge` for 413), so a client can tell the 4xx apart.
        error: (STATUS_CODES[clientStatus] ?? 'Bad Request').replaceAll(' ', ''),
        code: 'CLIENT_ERROR',
        message: (error as Error).message,
      },
    }
  }
  return {
    status: 500,
    body: { error: 'InternalServerError', code: 'INTERNAL', message: 'internal server error' },
  }
}
