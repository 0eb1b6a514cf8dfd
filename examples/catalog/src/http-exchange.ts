// One HTTP request from a test, with its answer read whole: the service tests use it to send what
// production sends (refused bodies, chunked bodies, keep-alive agents).
import { type Agent, type IncomingHttpHeaders, request } from 'node:http'

/** What a test request got back. */
export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** One request; `chunked` sends the body without a content-length. */
export function exchange(
  url: string,
  options: {
    method?: string
    headers?: Record<string, string>
    body?: string
    chunked?: boolean
    agent?: Agent
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode!, headers: response.headers, body }),
        )
        response.on('error', reject)
      },
    )
    // The server may answer and close before a refused body is fully sent.
    outgoing.on('error', reject)
    if (options.body !== undefined && options.chunked === true) {
      outgoing.write(options.body.slice(0, 10))
      outgoing.end(options.body.slice(10))
    } else outgoing.end(options.body)
  })
}
