import {
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
} from 'node:http'

/** A request over a fresh connection (no keep-alive), so a test can cut it off on purpose. */
export interface RawExchange {
  readonly request: ClientRequest
  /** Resolves when the response head arrives; rejects when the connection fails or is destroyed. */
  readonly response: Promise<IncomingMessage>
  /** Cuts the connection, as a client that goes away does. */
  disconnect(): void
}

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): RawExchange {
  const outgoing = request(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    agent: false,
  })
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once('response', resolve)
    outgoing.once('error', reject)
  })
  // A deliberate disconnect rejects `response`; tests that do it do not await it.
  response.catch(() => {})
  outgoing.end()
  return { request: outgoing, response, disconnect: () => outgoing.destroy() }
}

/** Reads a whole response body as text. */
export async function readBody(response: IncomingMessage): Promise<string> {
  let body = ''
  response.setEncoding('utf8')
  for await (const chunk of response) body += chunk
  return body
}

/** A request on its own connection (no keep-alive), returning status, headers and body text. */
export async function send(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const response = await rawRequest(url, options).response
  return { status: response.statusCode!, headers: response.headers, body: await readBody(response) }
}
