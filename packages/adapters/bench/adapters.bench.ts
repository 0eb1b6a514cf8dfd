// A trivial JSON route on Express, Fastify and Hono, bare and with the loopwork middleware on
// (request metrics + background tasks + concurrency limit), loaded by autocannon over loopback in
// the same run, rounds interleaved. Each server runs in its own process. Goal: >= 0.85x bare req/s.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { type BenchCase, writeResults } from '../../../scripts/bench-kit.js'

const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 2)
const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100)
const frameworks = ['express', 'fastify', 'hono'] as const
const variants = ['bare', 'loopwork'] as const

interface Measurement {
  readonly requestsPerSecond: number
  readonly p99Ms: number
  /** Server CPU time (user + system) per request served, in microseconds. */
  readonly cpuMicroseconds: number
}

interface Server {
  readonly url: string
  readonly process: ChildProcess
}

async function startServer(framework: string, variant: string): Promise<Server> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [framework, variant], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number }))
    child.once('exit', (code) =>
      reject(new Error(`${framework} ${variant} server exited with ${code}`)),
    )
  })
  return { url: `http://127.0.0.1:${port}/`, process: child }
}

function cpuTime(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.process.once('message', (usage) => {
      const { user, system } = usage as NodeJS.CpuUsage
      resolve(user + system)
    })
    server.process.send('cpu')
  })
}

async function load(server: Server): Promise<Measurement> {
  const cpuBefore = await cpuTime(server)
  const result = await autocannon({ url: server.url, connections, duration: durationSeconds })
  const cpuAfter = await cpuTime(server)
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${server.url}: ${result.errors} errors, ${result.non2xx} non-2xx responses`)
  }
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    cpuMicroseconds: (cpuAfter - cpuBefore) / result.requests.total,
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const servers = new Map<string, Server>()
for (const framework of frameworks) {
  for (const variant of variants) {
    servers.set(`${framework} ${variant}`, await startServer(framework, variant))
  }
}

const samples = new Map<string, Measurement[]>([...servers.keys()].map((key) => [key, []]))
try {
  // One warm-up round (JIT, connection setup), then the measured rounds, interleaved.
  for (let round = 0; round <= rounds; round++) {
    for (const [key, server] of servers) {
      const measurement = await load(server)
      if (round > 0) samples.get(key)!.push(measurement)
    }
  }
} finally {
  for (const server of servers.values()) server.process.disconnect()
}

const cases: BenchCase[] = []
for (const framework of frameworks) {
  const bare = samples.get(`${framework} bare`)!
  const ours = samples.get(`${framework} loopwork`)!
  cases.push({
    case: `${framework}: trivial JSON route, metrics + background tasks + limiter vs bare (${connections} connections)`,
    unit: 'requests/s',
    higherIsBetter: true,
    ours: Math.round(median(ours.map((sample) => sample.requestsPerSecond))),
    anchors: {
      [`bare ${framework}`]: Math.round(median(bare.map((sample) => sample.requestsPerSecond))),
    },
  })
  cases.push({
    case: `${framework}: server CPU per request, same runs`,
    unit: 'µs',
    higherIsBetter: false,
    ours: round1(median(ours.map((sample) => sample.cpuMicroseconds))),
    anchors: {
      [`bare ${framework}`]: round1(median(bare.map((sample) => sample.cpuMicroseconds))),
    },
  })
  cases.push({
    case: `${framework}: p99 latency (autocannon, 1 ms resolution), same runs`,
    unit: 'ms',
    higherIsBetter: false,
    ours: median(ours.map((sample) => sample.p99Ms)),
    anchors: { [`bare ${framework}`]: median(bare.map((sample) => sample.p99Ms)) },
  })
}
writeResults('adapters', cases)
