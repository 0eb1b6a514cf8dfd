import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseExposition, sample } from './exposition.js'

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url))
const primaryScript = fileURLToPath(new URL('./fixtures/cluster-primary.ts', import.meta.url))

function clusterScrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    const primary = fork(primaryScript, {
      cwd: repositoryRoot,
      execArgv: ['--conditions=@loopwork/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let answer: { text?: string; error?: string } | undefined
    primary.on('message', (message) => {
      answer = message as typeof answer
    })
    primary.on('error', reject)
    primary.on('exit', (code) => {
      if (answer?.text !== undefined) resolve(answer.text)
      else
        reject(new Error(`cluster primary exited with ${code}: ${answer?.error ?? 'no metrics'}`))
    })
  })
}

describe('node:cluster', () => {
  it('shows every worker in one /metrics through prom-client’s AggregatorRegistry', async () => {
    const parsed = parseExposition(await clusterScrape())
    expect(
      sample(
        parsed,
        'app_http_request_duration_seconds_count{method="GET",route="/users/:id",status_code="200"}',
      ),
    ).toBe(8)
    expect(
      sample(
        parsed,
        'app_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/users/:id",status_code="200"}',
      ),
    ).toBe(8)
    expect(sample(parsed, 'app_http_requests_in_flight')).toBe(2)
    expect(sample(parsed, 'app_limiter_tokens{name="db"}')).toBe(80)
    expect(sample(parsed, 'app_limiter_acquired_total{name="db"}')).toBe(20)
    expect(parsed.types.get('app_http_request_duration_seconds')).toBe('histogram')
    const utilization = sample(parsed, 'app_eventloop_utilization')
    expect(utilization).toBeGreaterThanOrEqual(0)
    expect(utilization).toBeLessThanOrEqual(1)
  })
})
