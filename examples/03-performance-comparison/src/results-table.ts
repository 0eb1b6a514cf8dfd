import type { ComparisonResult } from './comparison-result.js'

function cell(value: number | null | undefined, suffix = ''): string {
  return value === null || value === undefined ? '–' : `${value}${suffix}`
}

/** The results as a Markdown table, one row per case. */
export function formatResultsTable(result: ComparisonResult): string {
  const header = [
    '| case | heavy endpoint | heavy req/s | probe p50 (ms) | probe p99 (ms) | probe max (ms) | p99 vs idle |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  const rows = result.cases.map((row) =>
    [
      '',
      ` ${row.case} `,
      ` ${row.endpoint === null ? '– (probe alone)' : `\`${row.endpoint}\``} `,
      ` ${cell(row.heavy?.requestsPerSecond)} `,
      ` ${row.probe.p50} `,
      ` ${row.probe.p99} `,
      ` ${row.probe.max} `,
      ` ${row.probeP99VersusIdle}x `,
      '',
    ].join('|'),
  )
  return [...header, ...rows].join('\n')
}

/** One line naming the machine, the date and the settings, printed above the table. */
export function formatRunDescription(result: ComparisonResult): string {
  const { machine, settings } = result
  return (
    `${result.framework}, ${result.date.slice(0, 10)}, ${machine.cpu} (${machine.cores} cores, ` +
    `${machine.memoryGiB} GiB), ${machine.os}, Node ${machine.node}, load average ${machine.loadAverage.atStart} → ${machine.loadAverage.atEnd}; ` +
    `${settings.durationSeconds} s per case, ` +
    `${settings.connections} connections, ${settings.workMs} ms of work per request, ` +
    `/health probed ${settings.probeRatePerSecond}/s, ${settings.poolThreads} pool threads`
  )
}
