import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'
import type { ComparisonResult } from '../src/comparison-result.js'

const run = promisify(execFile)
const exampleFolder = fileURLToPath(new URL('..', import.meta.url))
const outputFolder = mkdtempSync(join(tmpdir(), 'performance-comparison-'))

afterAll(() => rmSync(outputFolder, { recursive: true, force: true }))

it('runs every case in quick mode and writes the table, latest.json and latest.svg', async () => {
  const { stdout, stderr } = await run(
    process.execPath,
    [
      '--conditions=@loopwork/source',
      '--import',
      'tsx',
      'src/main.ts',
      '--quick',
      '--probe-rate=40',
      `--out=${outputFolder}`,
    ],
    { cwd: exampleFolder, timeout: 90_000 },
  )
  // The progress bar goes to stderr, one line per step when it is not a terminal.
  expect(stderr).toMatch(/\[\s*\d+%\] warming up/)
  expect(stderr).toContain('[100%] done')

  const tableRows = stdout.split('\n').filter((line) => line.startsWith('| '))
  expect(tableRows[0]).toMatch(/^\| case \| heavy endpoint \| heavy req\/s \| probe p50/)
  expect(tableRows.slice(2).map((row) => row.split('|')[1]!.trim())).toEqual([
    'idle',
    'async-io',
    'blocking-inline',
    'offloaded',
    'blocked-async',
  ])

  const result = JSON.parse(
    readFileSync(join(outputFolder, 'latest.json'), 'utf8'),
  ) as ComparisonResult
  expect(result.framework).toBe('fastify')
  expect(result.settings).toMatchObject({ durationSeconds: 1, connections: 10, quick: true })
  expect(result.settings.poolThreads).toBeGreaterThan(0)
  expect(result.machine.cores).toBeGreaterThan(0)
  expect(result.cases.map((row) => row.endpoint)).toEqual([
    null,
    '/async-io',
    '/blocking-inline',
    '/offloaded',
    '/blocked-async',
  ])
  expect(result.cases[0]!.heavy).toBeNull()
  expect(result.cases[0]!.probeP99VersusIdle).toBe(1)
  for (const row of result.cases) {
    // 40 probes per second over the middle 0.8 s of each case: 32 probes, every one answered.
    expect(row.probe).toMatchObject({ sent: 32, errors: 0, count: 32 })
    expect(row.probe.p50).toBeLessThanOrEqual(row.probe.p99)
    expect(row.probe.p99).toBeLessThanOrEqual(row.probe.max)
  }
  for (const row of result.cases.slice(1)) {
    expect(row.heavy!.requests).toBeGreaterThan(0)
    expect(row.heavy!.errors + row.heavy!.non2xx).toBe(0)
  }

  const svg = readFileSync(join(outputFolder, 'latest.svg'), 'utf8')
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  expect(svg.match(/<rect x="150"/g)).toHaveLength(5)
  for (const row of result.cases) expect(svg).toContain(`>${row.case}</text>`)
}, 120_000)
