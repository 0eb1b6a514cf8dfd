import { describe, expect, it } from 'vitest'
import { escapeXml, renderBarChart } from '../src/bar-chart-svg.js'
import { parseComparisonOptions } from '../src/comparison-options.js'
import { parseFramework } from '../src/framework.js'
import { summarizeLatencies } from '../src/latency-summary.js'
import { ProgressBar } from '../src/progress-bar.js'

describe('summarizeLatencies', () => {
  it('takes nearest-rank percentiles', () => {
    const latencies = Array.from({ length: 100 }, (_, index) => 100 - index)
    expect(summarizeLatencies(latencies)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 })
    expect(summarizeLatencies([0.123456])).toEqual({ count: 1, p50: 0.12, p99: 0.12, max: 0.12 })
    expect(summarizeLatencies([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 })
  })
})

describe('renderBarChart', () => {
  it('draws bars proportional to their values from zero, with escaped labels', () => {
    const svg = renderBarChart({
      title: 'a < b & "c"',
      unit: ' ms',
      bars: [
        { label: 'small', value: 1 },
        { label: 'large', value: 4, color: '#c62828', note: '(4x)' },
      ],
    })
    const widths = [...svg.matchAll(/<rect x="150" y="\d+" width="([\d.]+)"/g)].map((match) =>
      Number(match[1]),
    )
    expect(widths).toHaveLength(2)
    expect(widths[1]! / widths[0]!).toBeCloseTo(4, 5)
    expect(svg).toContain('<title>a &lt; b &amp; &quot;c&quot;</title>')
    expect(svg).toContain('>4 ms (4x)</text>')
    expect(svg).toContain('fill="#c62828"')
    expect(escapeXml('<&>')).toBe('&lt;&amp;&gt;')
  })
})

describe('parseComparisonOptions', () => {
  it('has defaults, a quick mode and clear errors', () => {
    expect(parseComparisonOptions([])).toMatchObject({
      framework: 'fastify',
      durationSeconds: 10,
      connections: 10,
      probeRatePerSecond: 50,
      workMs: 10,
      quick: false,
    })
    expect(parseComparisonOptions(['--quick', '--framework=hono'])).toMatchObject({
      framework: 'hono',
      durationSeconds: 1,
      quick: true,
    })
    expect(parseComparisonOptions(['--help'])).toBeUndefined()
    expect(() => parseComparisonOptions(['--duration=-1'])).toThrow(
      '--duration must be a number above 0 and at most 600, got "-1"',
    )
    expect(() => parseComparisonOptions(['--connections=2.5'])).toThrow(/whole number/)
    expect(() => parseFramework('koa')).toThrow(
      '--framework must be one of fastify, express, hono, got "koa"',
    )
  })
})

describe('ProgressBar', () => {
  it('prints one line per step when the stream is not a terminal', () => {
    const lines: string[] = []
    const bar = new ProgressBar(1_000, { isTTY: false, write: (text) => lines.push(text) })
    bar.step('first')
    bar.finish()
    expect(lines).toEqual(['[  0%] first\n', '[100%] done\n'])
  })

  it('redraws one line in place on a terminal', () => {
    const writes: string[] = []
    const bar = new ProgressBar(1_000, { isTTY: true, write: (text) => writes.push(text) })
    bar.step('first')
    bar.finish()
    expect(writes[0]).toMatch(/^\r░{30}\s+0% {2}first/)
    expect(writes.at(-2)).toMatch(/^\r█{30} 100% {2}done/)
    expect(writes.at(-1)).toBe('\n')
  })
})
