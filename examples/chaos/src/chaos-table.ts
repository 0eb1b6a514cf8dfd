import type { ResidentFigures } from './service-child.js'

/** One attack on one service: what was expected, what was seen, and whether that passes. */
export interface ChaosRow {
  framework: string
  attack: string
  expected: string
  observed: string
  /** Status codes and error codes seen by the clients: `201×412 503×3`. */
  statuses: string
  orders?: OrderCounts
  rss?: ResidentFigures
  /** From the signal to the process's exit. */
  shutdownMs?: number
  outcome: 'pass' | 'fail' | 'skip'
}

/** Orders an attack saw acknowledged (201), fulfilled afterwards, and lost. */
export interface OrderCounts {
  acknowledged: number
  fulfilled: number
  lost: number
}

const mebibyte = 2 ** 20

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? '–' : String(Math.round(bytes / mebibyte))
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

/** The rows as a Markdown table. */
export function renderTable(rows: readonly ChaosRow[]): string {
  const header = [
    'service',
    'attack',
    'expected',
    'observed',
    'status codes',
    'orders ack/fulfilled/lost',
    'RSS MB before/peak/after',
    'shutdown',
    'result',
  ]
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`]
  for (const row of rows) {
    const orders =
      row.orders === undefined
        ? '–'
        : `${row.orders.acknowledged}/${row.orders.fulfilled}/${row.orders.lost}`
    const rss =
      row.rss === undefined
        ? '–'
        : `${megabytes(row.rss.before)}/${megabytes(row.rss.peak)}/${megabytes(row.rss.after)}`
    const shutdown = row.shutdownMs === undefined ? '–' : `${(row.shutdownMs / 1000).toFixed(2)} s`
    const result = { pass: 'pass', fail: '**FAIL**', skip: 'skipped' }[row.outcome]
    lines.push(
      `| ${[
        row.framework,
        row.attack,
        row.expected,
        row.observed,
        row.statuses === '' ? '–' : row.statuses,
        orders,
        rss,
        shutdown,
        result,
      ]
        .map(cell)
        .join(' | ')} |`,
    )
  }
  return lines.join('\n')
}
