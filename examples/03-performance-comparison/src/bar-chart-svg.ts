/** One bar of a chart. */
export interface Bar {
  label: string
  value: number
  /** A CSS colour. @default '#4e79a7' */
  color?: string
  /** Text after the value, e.g. `(42x idle)`. */
  note?: string
}

/** What {@link renderBarChart} draws. */
export interface BarChart {
  title: string
  subtitle?: string
  /** Appended to each value, e.g. `' ms'`. */
  unit?: string
  bars: readonly Bar[]
}

const chartWidth = 760
const labelWidth = 150
const valueWidth = 200
const barHeight = 26
const barGap = 12
const top = 70

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

/**
 * Renders a horizontal bar chart as a standalone SVG document: no dependency, no script, no
 * external font, so it renders the same on GitHub, in an editor and in a browser. The scale is
 * linear from zero, so bar lengths compare honestly.
 */
export function renderBarChart(chart: BarChart): string {
  const plotWidth = chartWidth - labelWidth - valueWidth
  const largest = Math.max(...chart.bars.map((bar) => bar.value), Number.MIN_VALUE)
  const height = top + chart.bars.length * (barHeight + barGap) + 10
  const unit = chart.unit ?? ''
  const rows = chart.bars.map((bar, index) => {
    const y = top + index * (barHeight + barGap)
    const length = Math.max(1, (bar.value / largest) * plotWidth)
    const textY = y + barHeight / 2 + 4.5
    const note = bar.note ? ` ${bar.note}` : ''
    return [
      `  <text x="${labelWidth - 10}" y="${textY}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `  <rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" rx="3" fill="${escapeXml(bar.color ?? '#4e79a7')}"/>`,
      `  <text x="${(labelWidth + length + 8).toFixed(1)}" y="${textY}">${escapeXml(`${bar.value}${unit}${note}`)}</text>`,
    ].join('\n')
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${height}" viewBox="0 0 ${chartWidth} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13" fill="#24292f">`,
    `  <title>${escapeXml(chart.title)}</title>`,
    `  <rect width="${chartWidth}" height="${height}" fill="#ffffff"/>`,
    `  <text x="16" y="26" font-size="16" font-weight="600">${escapeXml(chart.title)}</text>`,
    chart.subtitle
      ? `  <text x="16" y="48" font-size="12" fill="#57606a">${escapeXml(chart.subtitle)}</text>`
      : '',
    `  <line x1="${labelWidth}" y1="${top - 6}" x2="${labelWidth}" y2="${height - 10}" stroke="#d0d7de"/>`,
    ...rows,
    '</svg>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n')
}
