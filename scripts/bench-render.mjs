// Turns bench-results/<name>.json into the Markdown block that a package README shows between
// `<!-- bench:start -->` and `<!-- bench:end -->`. The READMEs' tables are only ever written by this
// code (`pnpm bench`, `pnpm bench:readme`), and a test checks each block against its JSON file.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const resultsDirectory = join(root, 'bench-results')
export const packagesDirectory = join(root, 'packages')

/** Package folders that are published and have a README (the private internals are not). */
export function publishedPackages() {
  return readdirSync(packagesDirectory)
    .filter((folder) => existsSync(join(packagesDirectory, folder, 'README.md')))
    .filter((folder) => {
      const manifest = JSON.parse(
        readFileSync(join(packagesDirectory, folder, 'package.json'), 'utf8'),
      )
      return manifest.private !== true
    })
    .sort()
}

/**
 * `<!-- bench:start -->` renders bench-results/<package folder>.json; `<!-- bench:start NAME -->`
 * renders bench-results/NAME.json (a package with a second benchmark, such as limiter-redis).
 */
const blockPattern = /(<!-- bench:start(?: ([a-z0-9-]+))? -->\n)([\s\S]*?)(<!-- bench:end -->)/g

/** Reads bench-results/<name>.json, or undefined when that benchmark has not been run. */
export function readResults(name) {
  const file = join(resultsDirectory, `${name}.json`)
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** A measured value: whole numbers and values from 100 up rounded, three significant digits below. */
export function formatValue(value) {
  return Number.isInteger(value) || Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toPrecision(3)
}

/** ours / anchor, inverted when lower is better, so a ratio above 1 always means ours is ahead. */
export function ratio(row, anchorValue) {
  return row.higherIsBetter ? row.ours / anchorValue : anchorValue / row.ours
}

const cell = (text) => String(text).replaceAll('|', '\\|')

/** The Markdown table of a result file's cases: one line per case and anchor. */
export function renderTable(results) {
  const lines = ['| case | ours | anchor | anchor value | ratio |', '|---|---:|---|---:|---:|']
  for (const row of results.cases) {
    const ours = `${formatValue(row.ours)} ${row.unit}`
    const anchors = Object.entries(row.anchors)
    if (anchors.length === 0) lines.push(`| ${cell(row.case)} | ${cell(ours)} | – | – | – |`)
    for (const [anchor, value] of anchors) {
      lines.push(
        `| ${cell(row.case)} | ${cell(ours)} | ${cell(anchor)} | ${cell(`${formatValue(value)} ${row.unit}`)} | ${ratio(row, value).toFixed(2)}x |`,
      )
    }
  }
  return lines.join('\n')
}

/** One line naming the machine, its load while the benchmark ran and the date. */
export function renderMachine(results) {
  const { machine, loadAverage, date } = results
  if (machine === undefined) return 'Machine and date not recorded for this run.'
  const load = (values) => values.map((value) => value.toFixed(2)).join(' / ')
  return (
    `Measured on ${date.slice(0, 10)}: ${machine.cpu}, ${machine.cores} cores, ` +
    `${machine.memoryGiB} GiB memory, ${machine.os}, Node ${machine.node}; load average ` +
    `(1 / 5 / 15 min) ${load(loadAverage.start)} at the start, ${load(loadAverage.end)} at the end.`
  )
}

/** The whole generated block (without the markers) for a result file, or a placeholder. */
export function renderBlock(name) {
  const results = readResults(name)
  if (results === undefined) {
    return `No results yet: \`pnpm bench\` in a clone of the repository writes bench-results/${name}.json.\n\n`
  }
  return [
    `<!-- generated from bench-results/${name}.json by scripts/bench-report.mjs; do not edit by hand -->`,
    '',
    renderTable(results),
    '',
    'Ratio: ours against the anchor measured in the same run, inverted where lower is better, so above',
    '1 means ours is ahead. The machine is shared, so compare the ratios rather than absolute figures.',
    '',
    renderMachine(results),
    '',
    '',
  ].join('\n')
}

/** The bench blocks of a README: the result name each renders and the text between its markers. */
export function findBlocks(readme, packageFolder) {
  return [...readme.matchAll(blockPattern)].map((match) => ({
    name: match[2] ?? packageFolder,
    text: match[3],
  }))
}

/** The README with every bench block replaced by what its result file renders to. */
export function renderReadme(readme, packageFolder) {
  return readme.replace(
    blockPattern,
    (_whole, start, name, _text, end) => `${start}${renderBlock(name ?? packageFolder)}${end}`,
  )
}
