#!/usr/bin/env node
// Runs every package's and example's tests in one vitest run per Node version and prints the total
// on a line of its own (`N passed, N failed`), because CI reads that line and not vitest's own
// summary. A test file that fails to load counts as a failure; a run with no passing test fails.
// LOOPWORK_TEST_NODE_BINARIES ("24=/path/to/node,22=/path/to/node", set by the toolchain) names the
// Node binaries; without it the suite runs once on the Node running this script.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vitestEntry = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const runs = (
  process.env.LOOPWORK_TEST_NODE_BINARIES ??
  `${process.versions.node.split('.')[0]}=${process.execPath}`
)
  .split(',')
  .map((entry) => entry.split('='))

let passed = 0
let failed = 0
const summaries = []
for (const [major, node] of runs) {
  const reportFile = join(root, '.cache', `vitest-report-node${major}.json`)
  mkdirSync(dirname(reportFile), { recursive: true })
  rmSync(reportFile, { force: true })
  process.stdout.write(`\n[loopwork] the suite on Node ${major} (${node})\n`)
  const vitest = spawnSync(
    node,
    [
      vitestEntry,
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportFile}`,
      ...process.argv.slice(2),
    ],
    // Child processes the tests spawn with `node` get the same version as the suite.
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}` },
    },
  )
  let runPassed = 0
  let runFailed = 0
  if (existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'))
    runPassed = report.numPassedTests ?? 0
    runFailed = report.numFailedTests ?? 0
    for (const file of report.testResults ?? []) {
      // A file that threw while loading has no assertion results but a failed status.
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) runFailed += 1
    }
  } else {
    runFailed = 1
  }
  if (vitest.status !== 0 && runFailed === 0) runFailed = 1
  summaries.push(`Node ${major}: ${runPassed} passed, ${runFailed} failed`)
  passed += runPassed
  failed += runFailed
}

process.stdout.write(`\n${summaries.join('\n')}\n`)
process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
