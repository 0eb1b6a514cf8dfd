/**
 * The status page's process and event-loop readings: delay percentiles from a delay monitor of
 * its own (enabled only while a page is open, so Prometheus' window gauges keep their meaning),
 * utilization between two snapshots, memory and CPU. Runtimes that stub these out (Bun and Deno
 * return zeros for utilization; workerd has no delay monitor) read `null`, shown as "n/a", never 0.
 */
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { round } from './route-window.js'

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>

/** The monitor's sampling resolution; Node adds it to every delay, so it is subtracted. */
const resolutionMs = 10

/** The event loop between two snapshots. */
export interface LoopView {
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  /** The longest delay, at least how late the snapshot timer itself ran. */
  readonly maxMs: number | null
  /** Share of the time the loop ran code, 0 to 1. */
  readonly utilization: number | null
}

/** The process between two snapshots. */
export interface ProcessView {
  readonly runtime: string
  readonly pid: number
  readonly uptimeSeconds: number
  readonly heapUsedBytes: number | null
  readonly heapTotalBytes: number | null
  readonly rssBytes: number | null
  /** CPU time over wall time, 1 being one core busy. */
  readonly cpu: number | null
}

/** The runtime's name and version, as the page shows it. */
export function runtimeName(): string {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string }
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno
  if (versions.bun !== undefined) return `Bun ${versions.bun}`
  if (deno?.version?.deno !== undefined) return `Deno ${deno.version.deno}`
  return `Node ${versions.node}`
}

/** Reads the event loop and the process once per snapshot; `start()` and `stop()` bracket a viewing. */
export class ProcessProbe {
  readonly runtime = runtimeName()
  #monitor: IntervalHistogram | undefined
  #utilization: EventLoopUtilization | undefined
  #cpu: NodeJS.CpuUsage | undefined

  /** Enables the delay monitor and takes the baselines. */
  start(): void {
    try {
      this.#monitor = monitorEventLoopDelay({ resolution: resolutionMs })
      this.#monitor.enable()
    } catch {
      this.#monitor = undefined
    }
    this.#utilization = readUtilization()
    this.#cpu = readCpu()
  }

  /** Disables the delay monitor. */
  stop(): void {
    this.#monitor?.disable()
    this.#monitor = undefined
  }

  /** The loop since the previous call; `latenessMs` is how late the snapshot timer ran. */
  loop(latenessMs: number): LoopView {
    const monitor = this.#monitor
    let p50Ms: number | null = null
    let p99Ms: number | null = null
    let maxMs: number | null = null
    if (monitor !== undefined) {
      const offset = resolutionMs * 1e6
      const ms = (nanoseconds: number) => round(Math.max(0, nanoseconds - offset) / 1e6)
      if (monitor.count > 0) {
        p50Ms = ms(monitor.percentile(50))
        p99Ms = ms(monitor.percentile(99))
        maxMs = ms(monitor.max)
      } else {
        p50Ms = p99Ms = maxMs = 0
      }
      maxMs = Math.max(maxMs, round(Math.max(0, latenessMs)))
      monitor.reset()
    }
    const now = readUtilization()
    let utilization: number | null = null
    if (now !== undefined && this.#utilization !== undefined) {
      const idle = now.idle - this.#utilization.idle
      const active = now.active - this.#utilization.active
      // A stub answers zeros for both: no reading is better than a healthy-looking 0.
      if (idle + active > 0) utilization = round(active / (idle + active))
    }
    this.#utilization = now
    return { p50Ms, p99Ms, maxMs, utilization }
  }

  /** The process since the previous call, over `elapsedMs`. */
  process(elapsedMs: number): ProcessView {
    let heapUsedBytes: number | null = null
    let heapTotalBytes: number | null = null
    let rssBytes: number | null = null
    try {
      const memory = process.memoryUsage()
      // workerd answers zeros.
      if (memory.rss > 0) {
        heapUsedBytes = memory.heapUsed
        heapTotalBytes = memory.heapTotal
        rssBytes = memory.rss
      }
    } catch {}
    const cpu = readCpu()
    let share: number | null = null
    if (cpu !== undefined && this.#cpu !== undefined && elapsedMs > 0) {
      const used = cpu.user - this.#cpu.user + (cpu.system - this.#cpu.system)
      share = round(used / 1000 / elapsedMs)
    }
    this.#cpu = cpu
    return {
      runtime: this.runtime,
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      heapUsedBytes,
      heapTotalBytes,
      rssBytes,
      cpu: share,
    }
  }
}

function readUtilization(): EventLoopUtilization | undefined {
  try {
    return performance.eventLoopUtilization()
  } catch {
    return undefined
  }
}

function readCpu(): NodeJS.CpuUsage | undefined {
  try {
    return process.cpuUsage()
  } catch {
    return undefined
  }
}
