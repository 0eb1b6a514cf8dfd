/**
 * What a status page answers, framework-neutral: which route a path names, the headers of each
 * kind of answer, and the default gate (loopback clients, not through a proxy).
 */
import { statusPagePolicy } from './page-asset.js'

/** The routes below a status page's mount point. */
export type StatusRoute = 'page' | 'snapshot' | 'events' | 'none'

/** The route a path below the mount names (`''` or `'/'` is the page). */
export function statusRouteOf(path: string): StatusRoute {
  const query = path.indexOf('?')
  const bare = query === -1 ? path : path.slice(0, query)
  if (bare === '' || bare === '/') return 'page'
  if (bare === '/events' || bare === 'events') return 'events'
  if (bare === '/snapshot' || bare === 'snapshot') return 'snapshot'
  return 'none'
}

/** The `after` query parameter of a snapshot poll: a snapshot number, or -1 for everything. */
export function afterParameter(path: string): number {
  const match = /[?&]after=(\d{1,15})(?:&|$)/.exec(path)
  return match === null ? -1 : Number(match[1])
}

/** A `Last-Event-ID` header: the last snapshot a reconnecting stream saw, or -1. */
export function lastEventId(value: string | string[] | null | undefined): number {
  const text = Array.isArray(value) ? value[0] : value
  return typeof text === 'string' && /^\d{1,15}$/.test(text) ? Number(text) : -1
}

/** Headers every answer carries: never cached, never sniffed, never framed, no referrer. */
const common = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
} as const

/** Headers of the page itself. */
export const pageHeaders: Readonly<Record<string, string>> = Object.freeze({
  ...common,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': statusPagePolicy,
})

/** Headers of a JSON snapshot. */
export const snapshotHeaders: Readonly<Record<string, string>> = Object.freeze({
  ...common,
  'content-type': 'application/json; charset=utf-8',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
})

/**
 * Headers of the event stream: `no-transform` keeps compression middleware (Express's
 * `compression`, Hono's `compress`) from holding events back, `X-Accel-Buffering: no` keeps nginx
 * from buffering them.
 */
export const eventHeaders: Readonly<Record<string, string>> = Object.freeze({
  ...common,
  'cache-control': 'no-cache, no-store, no-transform',
  'content-type': 'text/event-stream; charset=utf-8',
  'x-accel-buffering': 'no',
})

/** A short plain-text answer: a refusal or an unknown path. */
export interface PlainAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

function plain(status: number, body: string, extra: Record<string, string> = {}): PlainAnswer {
  return Object.freeze({
    status,
    headers: Object.freeze({
      ...common,
      'content-type': 'text/plain; charset=utf-8',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      ...extra,
    }),
    body,
  })
}

export const forbidden = plain(403, 'Forbidden\n')
export const notFound = plain(404, 'Not Found\n')
export const methodNotAllowed = plain(405, 'Method Not Allowed\n', { allow: 'GET, HEAD' })
/** Past `maxClients` streams: the page falls back to polling the snapshot. */
export const streamsFull = plain(503, 'Too many status streams open: poll ./snapshot instead\n', {
  'retry-after': '30',
})
export const pageClosed = plain(503, 'Service Unavailable\n')

const proxyHeaders = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const

/** Whether `address` is on the loopback interface (127.0.0.0/8, ::1, or 127.x mapped to IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  if (address === '::1') return true
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}

/**
 * The default gate: a loopback client that came through no proxy (a proxy on the same host makes
 * every visitor's connection local, so its forwarding headers refuse the request).
 */
export function isLocalRequest(
  address: string | undefined,
  header: (name: string) => string | null | undefined,
): boolean {
  if (!isLoopbackAddress(address)) return false
  for (const name of proxyHeaders) {
    const value = header(name)
    if (value !== undefined && value !== null) return false
  }
  return true
}
