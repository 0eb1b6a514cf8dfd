#!/usr/bin/env node
// Prints every bench-results/<package>.json as one table with the ratio ours/anchor per case
// (flipped for lower-is-better units, so a ratio above 1 always means loopwork is ahead).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const directory = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results')
if (!existsSync(directory)) {
  process.stdout.write('no bench-results yet: run `pnpm bench`\n')
  process.exit(0)
}
const lines = [
  '| package | case | unit | ours | anchor | anchor value | ours vs anchor |',
  '|---|---|---|---:|---|---:|---:|',
]
const format = (value) =>
  Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
for (const file of readdirSync(directory)
  .filter((name) => name.endsWith('.json'))
  .sort()) {
  const packageName = file.replace(/\.json$/, '')
  for (const row of JSON.parse(readFileSync(join(directory, file), 'utf8'))) {
    const anchors = Object.entries(row.anchors)
    if (anchors.length === 0)
      lines.push(`| ${packageName} | ${row.case} | ${row.unit} | ${format(row.ours)} | – | – | – |`)
    for (const [anchor, value] of anchors) {
      const ratio = row.higherIsBetter ? row.ours / value : value / row.ours
      lines.push(
        `| ${packageName} | ${row.case} | ${row.unit} | ${format(row.ours)} | ${anchor} | ${format(value)} | ${ratio.toFixed(2)}x |`,
      )
    }
  }
}
process.stdout.write(`${lines.join('\n')}\n`)
