import type { ChaosRow } from '../chaos-table.js'
import { exchange, OutcomeTally, rawExchange } from '../http-exchange.js'
import { ResidentSampler } from '../service-child.js'
import type { AttackContext } from './attack-context.js'

/** One malformed request and the statuses that answer it correctly. */
interface MalformedCase {
  name: string
  allowed: readonly number[]
  send(url: string, port: number, patienceMs: number): Promise<Answer>
}

interface Answer {
  status?: number
  /** The answer's reason: the error body's message, else its text, else the status line's phrase. */
  reason: string
  error?: string
}

const json = { 'content-type': 'application/json' }

function reasonOf(body: string, statusText: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown }
    if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message
  } catch {
    // Not JSON: the text itself is the reason.
  }
  return body.trim() !== '' ? body.trim().slice(0, 200) : statusText
}

function viaHttp(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): MalformedCase['send'] {
  return async (url, _port, patienceMs) => {
    const answer = await exchange(`${url}${path}`, { ...options, patienceMs })
    return {
      status: answer.status,
      reason: reasonOf(answer.body, answer.statusText),
      error: answer.error,
    }
  }
}

function viaSocket(text: string): MalformedCase['send'] {
  return async (_url, port, patienceMs) => {
    const answer = await rawExchange(port, text, patienceMs)
    const body = answer.rest.split('\r\n\r\n').slice(1).join('\r\n\r\n')
    return { status: answer.status, reason: reasonOf(body, answer.statusText), error: answer.error }
  }
}

const order = JSON.stringify({ itemId: 7, quantity: 1, email: 'ada@example.com' })
const oneMebibyte = JSON.stringify({ itemId: 7, quantity: 1, note: 'x'.repeat(2 ** 20) })

/** Everything the attack sends, each on a connection of its own. */
const cases: readonly MalformedCase[] = [
  {
    name: 'truncated JSON',
    allowed: [400],
    send: viaHttp('/orders', { method: 'POST', headers: json, body: '{"itemId": 7, "quantity":' }),
  },
  {
    name: 'JSON array body',
    allowed: [400],
    send: viaHttp('/orders', { method: 'POST', headers: json, body: '[1,2,3]' }),
  },
  {
    name: 'JSON with a string quantity',
    allowed: [400],
    send: viaHttp('/orders', {
      method: 'POST',
      headers: json,
      body: '{"itemId":7,"quantity":"1e9","email":"ada@example.com"}',
    }),
  },
  {
    name: 'text/plain order',
    allowed: [415],
    send: viaHttp('/orders', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: order,
    }),
  },
  {
    name: 'form-encoded order',
    allowed: [415],
    send: viaHttp('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'itemId=7&quantity=1',
    }),
  },
  {
    name: 'order without content type',
    allowed: [415],
    send: viaSocket(
      `POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${order.length}\r\nConnection: close\r\n\r\n${order}`,
    ),
  },
  {
    name: '1 MiB order body',
    allowed: [413],
    send: viaHttp('/orders', { method: 'POST', headers: json, body: oneMebibyte }),
  },
  {
    name: '1 MiB chunked order body',
    allowed: [413],
    send: async (url, _port, patienceMs) => {
      const answer = await exchange(`${url}/orders`, {
        method: 'POST',
        headers: { ...json, 'transfer-encoding': 'chunked' },
        body: oneMebibyte,
        patienceMs,
      })
      return {
        status: answer.status,
        reason: reasonOf(answer.body, answer.statusText),
        error: answer.error,
      }
    },
  },
  {
    name: 'content-length of 10 GB, body not sent',
    allowed: [413],
    send: viaSocket(
      `POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\nConnection: close\r\n\r\n${order}`,
    ),
  },
  {
    // 20,000 bytes of a body that never ends: the service must answer without reading on.
    name: 'chunked body past 16 KiB, unfinished',
    allowed: [413],
    send: viaSocket(
      `POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4e20\r\n${'x'.repeat(20_000)}\r\n`,
    ),
  },
  {
    name: '64 KiB header',
    allowed: [431],
    send: viaSocket(
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'x'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`,
    ),
  },
  {
    name: 'garbage request line',
    allowed: [400],
    send: viaSocket('HELLO THERE\r\n\r\n'),
  },
  {
    name: 'non-numeric content-length',
    allowed: [400],
    send: viaSocket(
      'POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n',
    ),
  },
  { name: 'unknown route', allowed: [404], send: viaHttp('/no/such/route') },
  { name: 'DELETE /items/7', allowed: [404, 405], send: viaHttp('/items/7', { method: 'DELETE' }) },
  { name: 'POST /search', allowed: [404, 405], send: viaHttp('/search?q=oak', { method: 'POST' }) },
  { name: 'path traversal', allowed: [400, 404], send: viaSocket(rawGet('/../../etc/passwd')) },
  { name: 'item id "abc"', allowed: [400], send: viaHttp('/items/abc') },
  { name: 'item id -1', allowed: [400], send: viaHttp('/items/-1') },
  { name: 'item id 1e3', allowed: [400], send: viaHttp('/items/1e3') },
  { name: 'item id past 2^53', allowed: [400], send: viaHttp('/items/99999999999999999999') },
  { name: 'item id %ZZ', allowed: [400, 404], send: viaSocket(rawGet('/items/%ZZ')) },
  { name: 'unknown item', allowed: [404], send: viaHttp('/items/999999999') },
  { name: 'order id "x"', allowed: [400], send: viaHttp('/orders/x') },
  { name: 'unknown order', allowed: [404], send: viaHttp('/orders/999999999') },
  { name: 'search without q', allowed: [400], send: viaHttp('/search') },
  {
    name: 'search q of 5,000 chars',
    allowed: [400],
    send: viaHttp(`/search?q=${'a'.repeat(5_000)}`),
  },
]

/** A malformed request is refused at once; one left unanswered this long counts as a failure. */
const answerWithinMs = 5_000

function rawGet(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`
}

/**
 * Attack 1: malformed requests, each on a connection of its own. Every one must get a 4xx with a
 * reason (413 and 415 where they are due, never a 5xx), and the service must stay healthy and log
 * no 500 of its own.
 */
export async function malformedRequests({ service, profile }: AttackContext): Promise<ChaosRow> {
  const rss = new ResidentSampler(service)
  const tally = new OutcomeTally()
  const port = Number(new URL(service.url).port)
  const outputBefore = service.output().length
  const wrong: string[] = []
  for (const malformed of cases) {
    const answer = await malformed.send(service.url, port, answerWithinMs)
    tally.add(answer)
    if (answer.status === undefined || !malformed.allowed.includes(answer.status)) {
      wrong.push(
        `${malformed.name}: ${answer.status ?? answer.error}, expected ${malformed.allowed.join(' or ')}`,
      )
    } else if (answer.reason.trim() === '') {
      wrong.push(`${malformed.name}: ${answer.status} without a reason`)
    }
  }
  const health = await exchange(`${service.url}/health`, { patienceMs: profile.clientPatienceMs })
  if (health.status !== 200) wrong.push(`GET /health afterwards: ${health.status ?? health.error}`)
  const logged = service.output().slice(outputBefore)
  const serverErrors = logged.split('\n').filter((line) => /request failed|error/i.test(line))
  if (serverErrors.length > 0) wrong.push(`the service logged: ${serverErrors[0]}`)
  return {
    framework: service.framework,
    attack: '1. malformed requests',
    expected: 'every request a 4xx with a reason (413/415 where due), no 5xx, no 500 logged',
    observed:
      wrong.length === 0
        ? `${cases.length} kinds, each the expected 4xx with a reason; healthy afterwards`
        : wrong.join('; '),
    statuses: tally.toString(),
    rss: await rss.stop(),
    outcome: wrong.length === 0 ? 'pass' : 'fail',
  }
}
