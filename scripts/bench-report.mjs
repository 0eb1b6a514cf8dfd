#!/usr/bin/env node
// Renders bench-results/*.json into the package READMEs, between `<!-- bench:start -->` and
// `<!-- bench:end -->`, without running any benchmark:
//   node scripts/bench-report.mjs                 every package README
//   node scripts/bench-report.mjs limiter batcher only these (folder or @loopwork/ name)
//   node scripts/bench-report.mjs --check         change nothing; exit 1 when a README is stale
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findBlocks, packagesDirectory, publishedPackages, renderReadme } from './bench-render.mjs'

const args = process.argv.slice(2)
const check = args.includes('--check')
// Package names, alone or after --filter (as `pnpm bench --filter <package>` takes them).
const requested = args
  .map((arg) => arg.replace(/^--filter=/, ''))
  .filter((arg) => !arg.startsWith('--'))
  .map((arg) => arg.replace(/^@loopwork\//, ''))
const known = publishedPackages()
for (const folder of requested) {
  if (!known.includes(folder)) {
    process.stderr.write(`unknown package "${folder}"; the packages are: ${known.join(', ')}\n`)
    process.exit(2)
  }
}

let stale = 0
for (const folder of requested.length > 0 ? requested : known) {
  const file = join(packagesDirectory, folder, 'README.md')
  const readme = readFileSync(file, 'utf8')
  if (findBlocks(readme, folder).length === 0) {
    process.stderr.write(`packages/${folder}/README.md has no <!-- bench:start --> marker\n`)
    stale += 1
    continue
  }
  const rendered = renderReadme(readme, folder)
  if (rendered === readme) continue
  if (check) {
    process.stderr.write(
      `packages/${folder}/README.md: the benchmark table is not what bench-results renders; run pnpm bench:readme ${folder}\n`,
    )
    stale += 1
  } else {
    writeFileSync(file, rendered)
    process.stdout.write(`packages/${folder}/README.md: benchmark table updated\n`)
  }
}
process.exit(stale > 0 ? 1 : 0)
