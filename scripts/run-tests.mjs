#!/usr/bin/env node
// Runs every package's and example's tests in one vitest run and prints the total on a line of
// its own (`N passed, N failed`), because CI reads that line and not vitest's own summary.
// A test file that fails to load counts as a failure; a run with no passing test fails.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const reportFile = join(root, '.cache', 'vitest-report.json')
mkdirSync(dirname(reportFile), { recursive: true })
rmSync(reportFile, { force: true })

const vitest = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
)

let passed = 0
let failed = 0
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  passed = report.numPassedTests ?? 0
  failed = report.numFailedTests ?? 0
  for (const file of report.testResults ?? []) {
    // A file that threw while loading has no assertion results but a failed status.
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1
  }
} else {
  failed = 1
}
if (vitest.status !== 0 && failed === 0) failed = 1

process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
