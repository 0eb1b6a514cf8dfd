import { describe, expect, it } from 'vitest'
import { shortProfile } from '../src/chaos-profile.js'
import { runChaos } from '../src/chaos-run.js'
import { renderTable } from '../src/chaos-table.js'
import { frameworks } from '../src/service-child.js'

// The short profile (a few seconds per attack) against each service, started through its start
// script as a child process on 127.0.0.1. Every row must pass or be skipped with its reason, and
// no order acknowledged with 201 may be lost, across a SIGTERM and a SIGKILL with restarts.
describe.each(frameworks)('chaos, short profile: service-%s', (framework) => {
  it('passes every attack and loses no acknowledged order', async () => {
    const rows = await runChaos({ profile: shortProfile, frameworks: [framework] })
    const table = renderTable(rows)
    expect(
      rows.filter((row) => row.outcome === 'fail'),
      table,
    ).toEqual([])
    expect(
      rows.map((row) => row.attack.split('.')[0]),
      table,
    ).toEqual(['1', '2', '3', '4', '5', '6', '7a', '7b'])
    for (const row of rows.filter((each) => each.outcome === 'skip')) {
      expect(row.observed, table).toMatch(/^skipped: .{20,}/)
    }
    const withOrders = rows.filter((row) => row.orders !== undefined)
    expect(
      withOrders.map((row) => row.attack.split('.')[0]),
      table,
    ).toEqual(['4', '5', '6'])
    for (const row of withOrders) {
      expect(row.orders!.acknowledged, table).toBeGreaterThan(0)
      expect(row.orders!.lost, table).toBe(0)
      expect(row.orders!.fulfilled, table).toBe(row.orders!.acknowledged)
    }
  }, 180_000)
})
