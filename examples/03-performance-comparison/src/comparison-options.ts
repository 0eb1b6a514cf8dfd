import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type Framework, parseFramework } from './framework.js'

/** How one comparison run is set up; every field has a command-line flag. */
export interface ComparisonOptions {
  /** `--framework`: the server's framework. @default 'fastify' */
  framework: Framework
  /** `--duration`: seconds of load per case (`--quick`: 1). @default 10 */
  durationSeconds: number
  /** `--connections`: concurrent connections of the heavy load. @default 10 */
  connections: number
  /** `--probe-rate`: `/health` requests per second, evenly spaced. @default 50 */
  probeRatePerSecond: number
  /** `--work-ms`: how long one heavy request's work lasts. @default 10 */
  workMs: number
  /** `--out`: the folder `latest.json` and `latest.svg` are written to. @default this example's results/ */
  outputDirectory: string
  /** `--quick`: a one-second-per-case run that checks the harness, not the numbers. */
  quick: boolean
}

/** The usage text `--help` prints. */
export const usage = `Usage: pnpm --filter @loopwork-example/03-performance-comparison start [options]

  --framework <name>    fastify (default), express or hono
  --duration <seconds>  seconds of load per case (default 10)
  --connections <n>     heavy-load connections (default 10)
  --probe-rate <n>      /health probes per second (default 50)
  --work-ms <ms>        work per heavy request in milliseconds (default 10)
  --out <folder>        where latest.json and latest.svg go (default results/)
  --quick               one second per case, to check the harness
  --help                this text`

function positiveNumber(option: string, text: string, maximum: number): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0 || value > maximum) {
    throw new RangeError(
      `--${option} must be a number above 0 and at most ${maximum}, got "${text}"`,
    )
  }
  return value
}

/**
 * Reads the command line, or throws an error naming the flag, the value and what is allowed.
 * Returns `undefined` when `--help` was asked for.
 */
export function parseComparisonOptions(argv: string[]): ComparisonOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      framework: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string', default: '10' },
      'probe-rate': { type: 'string', default: '50' },
      'work-ms': { type: 'string', default: '10' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return undefined
  const connections = positiveNumber('connections', values.connections, 1_000)
  if (!Number.isInteger(connections)) {
    throw new RangeError(`--connections must be a whole number, got "${values.connections}"`)
  }
  return {
    framework: parseFramework(values.framework),
    durationSeconds: positiveNumber(
      'duration',
      values.duration ?? (values.quick ? '1' : '10'),
      600,
    ),
    connections,
    probeRatePerSecond: positiveNumber('probe-rate', values['probe-rate'], 1_000),
    workMs: positiveNumber('work-ms', values['work-ms'], 1_000),
    outputDirectory: values.out ?? fileURLToPath(new URL('../results/', import.meta.url)),
    quick: values.quick,
  }
}
