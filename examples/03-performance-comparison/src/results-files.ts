import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderBarChart } from './bar-chart-svg.js'
import type { ComparisonResult } from './comparison-result.js'

/** Green within 3x of idle, amber within 10x, red beyond: how far the event loop was held up. */
function colorFor(versusIdle: number): string {
  if (versusIdle <= 3) return '#2e7d32'
  if (versusIdle <= 10) return '#ed8b00'
  return '#c62828'
}

/** The chart of probe p99 per case, as an SVG document. */
export function renderResultsChart(result: ComparisonResult): string {
  const { machine, settings } = result
  return renderBarChart({
    title: `/health p99 latency while each endpoint is under load (${result.framework})`,
    subtitle:
      `${machine.cores}-core ${machine.cpu}, Node ${machine.node}, ${result.date.slice(0, 10)}; ` +
      `${settings.connections} connections x ${settings.workMs} ms of work, ${settings.durationSeconds} s per case. Lower is better.`,
    unit: ' ms',
    bars: result.cases.map((row) => ({
      label: row.case,
      value: row.probe.p99,
      color: colorFor(row.probeP99VersusIdle),
      note: row.case === 'idle' ? '(probe alone)' : `(${row.probeP99VersusIdle}x idle)`,
    })),
  })
}

/** Writes `latest.json` and `latest.svg` into `directory` (created when missing); returns their paths. */
export function writeResultFiles(
  directory: string,
  result: ComparisonResult,
): { json: string; svg: string } {
  mkdirSync(directory, { recursive: true })
  const json = join(directory, 'latest.json')
  const svg = join(directory, 'latest.svg')
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`)
  writeFileSync(svg, renderResultsChart(result))
  return { json, svg }
}
