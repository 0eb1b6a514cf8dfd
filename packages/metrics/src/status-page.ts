import type { IncomingMessage, ServerResponse } from 'node:http'
import * as option from '@loopwork/internal/options'
import {
  EventStreams,
  eventFrame,
  maxBufferedBytes,
  type StreamSink,
  streamPreamble,
} from './internal/status-page/event-streams.js'
import { type MetricsSources, metricsSources } from './internal/status-page/metrics-sources.js'
import { statusPageHtml } from './internal/status-page/page-asset.js'
import {
  afterParameter,
  eventHeaders,
  forbidden,
  isLocalRequest,
  lastEventId,
  methodNotAllowed,
  notFound,
  type PlainAnswer,
  pageClosed,
  pageHeaders,
  snapshotHeaders,
  statusRouteOf,
  streamsFull,
} from './internal/status-page/status-responses.js'
import { StatusSampler } from './internal/status-page/status-sampler.js'
import type { Metrics } from './metrics.js'
import type { StatusPageOptions, StatusPageRequestContext } from './types.js'

const intervalOption: option.Check<number> = (name, value) => {
  const milliseconds = option.duration({ min: 100 })(name, value)
  if (milliseconds <= 60_000) return milliseconds
  throw option.invalid(name, value, 'a number of milliseconds from 100 to 60000')
}

const statusPageOptions = {
  authorize: option.function,
  maxClients: option.integer({ min: 0, max: 1000 }),
  intervalMs: intervalOption,
  historyMs: option.duration({ min: 0 }),
  heartbeatMs: option.duration({ min: 100 }),
  title: option.name,
}

/** Snapshots a page keeps at most, whatever `historyMs / intervalMs` says. */
const maxHistoryPoints = 3600

const encoder = new TextEncoder()

/**
 * A live status page of one `Metrics`: an HTML page that shows, about once a second, the event
 * loop (delay and utilization over the last minutes, each blocked-loop report with the routes in
 * flight), requests per route template (rate, p50/p99, status classes), a panel per tracked
 * primitive, and the process (heap, RSS, CPU). The page receives its snapshots over Server-Sent
 * Events, or polls a JSON snapshot when the stream is refused.
 *
 * Create it with `metrics.statusPage()` and mount it with `@loopwork/adapters` (one line per
 * framework), or serve it from a plain `node:http` server with {@link StatusPage.handleNode}.
 * Nothing is sampled while no page is open; `close()` (or `metrics.close()`) ends every stream.
 */
export class StatusPage {
  /** Event streams open at once; past it the stream answers 503 and the page polls. */
  readonly maxClients: number
  /** How often a snapshot is taken while a page is open, in milliseconds. */
  readonly intervalMs: number
  readonly #sources: MetricsSources
  readonly #authorize: ((request: any) => boolean | PromiseLike<boolean>) | undefined
  readonly #sampler: StatusSampler
  readonly #streams: EventStreams
  /** A sampler kept alive by polls alone stops after this long without one. */
  readonly #pollIdleMs: number
  readonly #unmeasured = new Set<string>()
  #lastPollAt = Number.NEGATIVE_INFINITY
  #closed = false

  /**
   * Checks the options; starts nothing until a page is opened. Prefer `metrics.statusPage()`,
   * which also closes the page with the metrics.
   */
  constructor(metrics: Metrics, options?: StatusPageOptions<any>) {
    const sources = metricsSources.get(metrics)
    if (sources === undefined) {
      throw option.invalid('metrics', metrics, 'a Metrics from createMetrics() of this package')
    }
    const given = option.check('statusPage() options', options, statusPageOptions) ?? {}
    this.#sources = sources
    this.#authorize = given.authorize as StatusPageOptions['authorize']
    this.maxClients = given.maxClients ?? 10
    this.intervalMs = given.intervalMs ?? 1000
    this.#pollIdleMs = Math.max(10_000, 3 * this.intervalMs)
    const historyPoints = Math.min(
      maxHistoryPoints,
      Math.max(1, Math.ceil((given.historyMs ?? 300_000) / this.intervalMs)),
    )
    this.#sampler = new StatusSampler(
      sources,
      { intervalMs: this.intervalMs, historyPoints, title: given.title ?? 'loopwork status' },
      (seq, payload) => this.#broadcast(seq, payload),
    )
    this.#streams = new EventStreams(this.maxClients, given.heartbeatMs ?? 5000, () => {
      if (this.#streams.size > 0) this.#sampler.start()
    })
  }

  /** Event streams open now. */
  get clients(): number {
    return this.#streams.size
  }

  /** Whether a snapshot timer runs (a page is open, or was polled lately). */
  get sampling(): boolean {
    return this.#sampler.running
  }

  /**
   * Leaves these route templates out of the request metrics: the routes the status page is
   * mounted on, whose event stream would otherwise stay in flight for as long as a page is open
   * and show in every blocked-loop report. The adapters call it; call it yourself only when you
   * mount the page behind your own request metrics.
   *
   * @example statusPage.excludeRoutes(['/status', '/status/events', '/status/snapshot'])
   */
  excludeRoutes(routes: readonly string[]): void {
    for (const route of routes) {
      if (typeof route !== 'string') continue
      this.#unmeasured.add(route)
      this.#sources.recorder.unmeasuredRoutes.add(route)
    }
  }

  /**
   * Answers a request for the page (`context.path` `''` or `'/'`), its JSON snapshot (`'/snapshot'`)
   * or its event stream (`'/events'`) on a `node:http` response. Rejects only when `authorize`
   * throws, with that error, before anything was written.
   *
   * @example
   * createServer((request, response) => {
   *   const url = request.url ?? '/'
   *   if (url === '/status' || url.startsWith('/status/')) {
   *     page.handleNode(request, response, { path: url.slice('/status'.length) }).catch(() => response.destroy())
   *   }
   * })
   */
  async handleNode(
    request: IncomingMessage,
    response: ServerResponse,
    context: StatusPageRequestContext,
  ): Promise<void> {
    const allowed = await this.#allowed(context, request, () =>
      isLocalRequest(context.remoteAddress ?? request.socket?.remoteAddress, (name) =>
        headerValue(request.headers[name]),
      ),
    )
    const answer = this.#answer(allowed, request.method, context.path)
    if (answer === 'page' || answer === 'snapshot') {
      const body = answer === 'page' ? statusPageHtml : this.#snapshot(context.path)
      response.writeHead(200, answer === 'page' ? pageHeaders : snapshotHeaders)
      response.end(request.method === 'HEAD' ? undefined : body)
      return
    }
    if (answer !== 'events') {
      response.writeHead(answer.status, answer.headers).end(answer.body)
      return
    }
    response.writeHead(200, eventHeaders)
    response.socket?.setNoDelay(true)
    this.#sampler.start()
    response.write(
      streamPreamble + this.#initialFrame(lastEventId(request.headers['last-event-id'])),
    )
    flush(response)
    const server =
      context.server ?? (request.socket as { server?: { listening: boolean } } | undefined)?.server
    const sink: StreamSink = {
      write(chunk) {
        response.write(chunk)
        flush(response)
        return response.writableLength < maxBufferedBytes
      },
      end() {
        response.end()
      },
      stale: () => server?.listening === false,
    }
    const remove = this.#streams.open(sink)
    if (response.closed) remove()
    else response.once('close', remove)
  }

  /**
   * The same for a fetch-style `Request`, answered with a `Response` (the stream as a
   * `ReadableStream`): Hono and other fetch-based servers on any runtime. Rejects only when
   * `authorize` throws.
   *
   * @example app.get('/status/*', (c) => page.handleFetch(c.req.raw, { path: c.req.path.slice('/status'.length) }))
   */
  async handleFetch(request: Request, context: StatusPageRequestContext): Promise<Response> {
    const allowed = await this.#allowed(context, request, () =>
      isLocalRequest(context.remoteAddress, (name) => request.headers.get(name)),
    )
    const answer = this.#answer(allowed, request.method, context.path)
    if (answer === 'page' || answer === 'snapshot') {
      const body = answer === 'page' ? statusPageHtml : this.#snapshot(context.path)
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: answer === 'page' ? pageHeaders : snapshotHeaders,
      })
    }
    if (answer !== 'events') {
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    }
    this.#sampler.start()
    const first =
      streamPreamble + this.#initialFrame(lastEventId(request.headers.get('last-event-id')))
    let remove: (() => void) | undefined
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          controller.enqueue(encoder.encode(first))
          const sink: StreamSink = {
            write(chunk) {
              controller.enqueue(encoder.encode(chunk))
              return (controller.desiredSize ?? 0) > -maxBufferedBytes
            },
            end() {
              try {
                controller.close()
              } catch {}
            },
            stale: () => context.server?.listening === false,
          }
          remove = this.#streams.open(sink)
        },
        cancel: () => remove?.(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    )
    request.signal?.addEventListener('abort', () => remove?.(), { once: true })
    return new Response(body, { status: 200, headers: eventHeaders })
  }

  /**
   * Ends every stream, stops sampling and gives the excluded routes back to the request metrics;
   * later requests are answered 503. Idempotent; `metrics.close()` calls it.
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#sources.pages.delete(this)
    this.#streams.closeAll()
    this.#sampler.stop()
    for (const route of this.#unmeasured) this.#sources.recorder.unmeasuredRoutes.delete(route)
  }

  async #allowed(
    context: StatusPageRequestContext,
    request: unknown,
    local: () => boolean,
  ): Promise<boolean> {
    if (this.#authorize === undefined) return local()
    return (await this.#authorize(context.subject ?? request)) === true
  }

  /** What to answer: the route to serve, or a plain refusal. */
  #answer(
    allowed: boolean,
    method: string | undefined,
    path: string,
  ): 'page' | 'snapshot' | 'events' | PlainAnswer {
    if (this.#closed || this.#sources.closed()) return pageClosed
    if (!allowed) return forbidden
    const route = statusRouteOf(path)
    if (route === 'none') return notFound
    if (method !== 'GET' && !(method === 'HEAD' && route !== 'events')) return methodNotAllowed
    if (route === 'events' && this.#streams.full) return streamsFull
    return route
  }

  #snapshot(path: string): string {
    this.#lastPollAt = performance.now()
    this.#sampler.start()
    return this.#sampler.payload(afterParameter(path))
  }

  #initialFrame(after: number): string {
    return eventFrame(this.#sampler.seq, this.#sampler.payload(after))
  }

  #broadcast(seq: number, payload: string): void {
    if (this.#streams.size > 0) this.#streams.broadcast(eventFrame(seq, payload))
    else if (performance.now() - this.#lastPollAt > this.#pollIdleMs) this.#sampler.stop()
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Compression middleware adds `flush()`; without it a compressed event would wait for more bytes. */
function flush(response: ServerResponse): void {
  const flushable = response as ServerResponse & { flush?: () => void }
  if (typeof flushable.flush === 'function') flushable.flush()
}
