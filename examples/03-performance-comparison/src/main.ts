// The headline comparison: how long does a cheap /health request take while the server is busy
// with heavy requests done four ways? Run: pnpm --filter @loopwork-example/03-performance-comparison start
import { setTimeout as sleep } from 'node:timers/promises'
import { parseComparisonOptions, usage } from './comparison-options.js'
import { type CaseResult, type ComparisonResult, caseNames } from './comparison-result.js'
import { describeMachine, oneMinuteLoad } from './machine-description.js'
import { type CaseMeasurement, measureCase } from './measure-case.js'
import { ProgressBar } from './progress-bar.js'
import { writeResultFiles } from './results-files.js'
import { formatResultsTable, formatRunDescription } from './results-table.js'
import { startServerProcess } from './server-process.js'
import { warmUp } from './warm-up.js'

const say = (line: string) => process.stdout.write(`${line}\n`)

const loadAtStart = oneMinuteLoad()
const options = parseComparisonOptions(process.argv.slice(2))
if (options === undefined) {
  say(usage)
  process.exit(0)
}

say(
  `Starting the ${options.framework} server in a child process (calibrating ${options.workMs} ms of CPU work)...`,
)
const server = await startServerProcess(options)
process.once('SIGINT', () => void server.stop().finally(() => process.exit(130)))
say(
  `Listening on ${server.origin}: ${server.ready.iterations} iterations = ${server.ready.workMs} ms of work, ${server.ready.threads} pool threads.`,
)

try {
  const durationMs = options.durationSeconds * 1000
  const settleMs = options.quick ? 200 : 1_000
  const warmUpRequests = options.quick ? 5 : 40
  const progress = new ProgressBar(
    caseNames.length * (durationMs + settleMs) + warmUpRequests * 5 * options.workMs,
  )
  progress.step('warming up')
  await warmUp(server.origin, warmUpRequests)
  const measured: Array<[name: (typeof caseNames)[number], CaseMeasurement]> = []
  for (const [index, name] of caseNames.entries()) {
    progress.step(`${name} (${index + 1}/${caseNames.length})`)
    measured.push([
      name,
      await measureCase(server.origin, name === 'idle' ? null : `/${name}`, options),
    ])
    // Let queued heavy requests finish before the next case starts.
    await sleep(settleMs)
  }
  progress.finish()

  const idleP99 = Math.max(0.01, measured[0]![1].probe.p99)
  const cases: CaseResult[] = measured.map(([name, measurement]) => ({
    case: name,
    endpoint: name === 'idle' ? null : `/${name}`,
    heavy: measurement.heavy,
    probe: measurement.probe,
    probeP99VersusIdle: Math.round((measurement.probe.p99 / idleP99) * 10) / 10,
  }))
  const result: ComparisonResult = {
    date: new Date().toISOString(),
    machine: describeMachine(loadAtStart),
    framework: options.framework,
    settings: {
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      probeRatePerSecond: options.probeRatePerSecond,
      workMs: server.ready.workMs,
      workIterations: server.ready.iterations,
      poolThreads: server.ready.threads,
      quick: options.quick,
    },
    cases,
  }
  say('')
  say(formatRunDescription(result))
  say('')
  say(formatResultsTable(result))
  say('')
  const files = writeResultFiles(options.outputDirectory, result)
  say(`Wrote ${files.json} and ${files.svg}`)
} finally {
  await server.stop()
}
