import { type Agent, type IncomingHttpHeaders, request } from 'node:http'
import { connect } from 'node:net'

/** What one request got: a response, or the error that took its place. Never thrown. */
export interface Exchange {
  /** The response's status, if one came. */
  status?: number
  /** The reason phrase of the status line. */
  statusText: string
  headers: IncomingHttpHeaders
  /** The response body, cut at the exchange's `maxBodyBytes`. */
  body: string
  /** The error code (`ECONNRESET`, `ECONNREFUSED`...) when no complete response came. */
  error?: string
  /** The client stopped waiting after its patience ran out. */
  gaveUp: boolean
  /** The request went out on a keep-alive socket an earlier request had used. */
  reusedSocket: boolean
  /** From the call to the end of the response (or the error). */
  elapsedMs: number
}

/** One request of {@link exchange}. */
export interface ExchangeOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** The connection pool; `false` (the default) opens one connection for this request. */
  agent?: Agent | false
  /** How long the client waits for the whole answer before it gives up and closes the socket. */
  patienceMs: number
  /** Body bytes kept; the rest is read and dropped. */
  maxBodyBytes?: number
}

/**
 * Sends one request over node:http and resolves with what came back, never rejecting: a refused
 * connection, a reset or a client that ran out of patience are outcomes to count, not exceptions.
 */
export function exchange(url: string, options: ExchangeOptions): Promise<Exchange> {
  const started = performance.now()
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024
  return new Promise((resolve) => {
    let settled = false
    let gaveUp = false
    let status: number | undefined
    let statusText = ''
    let headers: IncomingHttpHeaders = {}
    let body = ''
    const finish = (error?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({
        status: error === undefined ? status : undefined,
        statusText,
        headers,
        body,
        error,
        gaveUp,
        reusedSocket: outgoing.reusedSocket,
        elapsedMs: performance.now() - started,
      })
    }
    const outgoing = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
      (response) => {
        status = response.statusCode
        statusText = response.statusMessage ?? ''
        headers = response.headers
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          if (body.length < maxBodyBytes) body += chunk.slice(0, maxBodyBytes - body.length)
        })
        response.on('end', () => finish())
        response.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message))
        // A response cut off before its end: the client never saw a complete answer.
        response.on('close', () => {
          if (!response.complete) finish('ABORTED_RESPONSE')
        })
      },
    )
    const timer = setTimeout(() => {
      gaveUp = true
      finish('PATIENCE_EXCEEDED')
      outgoing.destroy()
    }, options.patienceMs)
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message))
    outgoing.end(options.body)
  })
}

/** What a raw request over a plain socket got back. */
export interface RawExchange {
  status?: number
  /** The reason phrase of the status line. */
  statusText: string
  /** Everything after the status line (headers and body), cut at 4 KiB. */
  rest: string
  error?: string
}

/**
 * Writes `text` as-is to a fresh TCP connection, keeps it open, and reads the answer until the
 * server closes the connection or `patienceMs` passes: for requests node:http would refuse to send (a broken
 * request line, a header past the server's limit).
 */
export function rawExchange(port: number, text: string, patienceMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    let received = ''
    let error: string | undefined
    const socket = connect({ host: '127.0.0.1', port })
    const timer = setTimeout(() => {
      error = 'PATIENCE_EXCEEDED'
      socket.destroy()
    }, patienceMs)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      if (received.length < 8 * 1024) received += chunk
    })
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      error ??= cause.code ?? cause.message
    })
    socket.on('close', () => {
      clearTimeout(timer)
      const statusLine = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)\r\n/.exec(received)
      resolve({
        status: statusLine === null ? undefined : Number(statusLine[1]),
        statusText: statusLine?.[2] ?? '',
        rest: statusLine === null ? received : received.slice(statusLine[0].length, 4096),
        // A reset after a complete status line still delivered an answer.
        error: statusLine === null ? (error ?? 'NO_RESPONSE') : undefined,
      })
    })
    // The writing side stays open, as a client still sending its body would keep it: a half-close
    // would let the server see the end of a request that declared more.
    socket.write(text)
  })
}

/**
 * Counts outcomes by status code or error code, for the table: `200×812 503×1188`.
 */
export class OutcomeTally {
  readonly #counts = new Map<string, number>()

  /** Counts one exchange under its status, or its error code. */
  add(outcome: { status?: number; error?: string }): void {
    const key =
      outcome.status === undefined ? (outcome.error ?? 'NO_RESPONSE') : String(outcome.status)
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1)
  }

  /** How many outcomes had this key (`'503'`, `'ECONNRESET'`). */
  count(key: string): number {
    return this.#counts.get(key) ?? 0
  }

  /** Every key counted. */
  keys(): string[] {
    return [...this.#counts.keys()]
  }

  /** All outcomes counted. */
  total(): number {
    let total = 0
    for (const count of this.#counts.values()) total += count
    return total
  }

  /** Status codes first, in order, then error codes: `200×812 503×1188 ECONNREFUSED×3`. */
  toString(): string {
    return [...this.#counts.entries()]
      .sort(([a], [b]) => sortKey(a).localeCompare(sortKey(b)))
      .map(([key, count]) => `${key}×${count}`)
      .join(' ')
  }
}

function sortKey(key: string): string {
  return /^\d{3}$/.test(key) ? `0${key}` : `1${key}`
}
