import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  findBlocks,
  packagesDirectory,
  publishedPackages,
  readResults,
  renderBlock,
  renderReadme,
  resultsDirectory,
  root,
} from '../scripts/bench-render.mjs'

// The READMEs' benchmark tables are generated from bench-results/*.json (`pnpm bench`), never typed
// by hand: each block between the markers must be exactly what its JSON file renders to.
const packages = publishedPackages()
const readmeOf = (folder: string) =>
  readFileSync(join(packagesDirectory, folder, 'README.md'), 'utf8')

describe('benchmark tables in the package READMEs', () => {
  it('covers every published package', () => {
    expect(packages).toEqual(
      expect.arrayContaining([
        'adapters',
        'background-tasks',
        'batcher',
        'limiter',
        'metrics',
        'thread-offload',
        'ttl-cache',
      ]),
    )
  })

  it.each(packages)('%s README has the bench markers, each start with its end', (folder) => {
    const readme = readmeOf(folder)
    expect(readme).toContain('<!-- bench:start -->')
    const starts = readme.match(/<!-- bench:start(?: [a-z0-9-]+)? -->/g) ?? []
    const ends = readme.match(/<!-- bench:end -->/g) ?? []
    expect(ends.length).toBe(starts.length)
    expect(findBlocks(readme, folder).length).toBe(starts.length)
  })

  it.each(packages)('%s README shows exactly what its bench-results render to', (folder) => {
    const readme = readmeOf(folder)
    for (const block of findBlocks(readme, folder)) {
      expect(readResults(block.name), `bench-results/${block.name}.json`).toBeDefined()
      expect(block.text).toBe(renderBlock(block.name))
    }
    expect(renderReadme(readme, folder)).toBe(readme)
  })

  it.each(packages)('%s results name the machine, its load and the date', (folder) => {
    for (const block of findBlocks(readmeOf(folder), folder)) {
      const results = readResults(block.name)!
      expect(results.cases.length).toBeGreaterThan(0)
      expect(results.machine.cores).toBeGreaterThan(0)
      expect(results.machine.node).toMatch(/^\d+\.\d+\.\d+$/)
      expect(results.loadAverage.start).toHaveLength(3)
      expect(Number.isNaN(Date.parse(results.date))).toBe(false)
      expect(block.text).toMatch(/Measured on \d{4}-\d\d-\d\d: .+ cores, .+ GiB memory, .+, Node /)
    }
  })

  it('every results file is shown in a README', () => {
    const shown = packages.flatMap((folder) =>
      findBlocks(readmeOf(folder), folder).map((block) => block.name),
    )
    const files = readdirSync(resultsDirectory)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''))
    expect(files.filter((name) => !shown.includes(name))).toEqual([])
  })

  it.each(packages)('%s README says that pnpm bench needs a clone of the repository', (folder) => {
    const paragraphs = readmeOf(folder).split(/\n\s*\n/)
    for (const paragraph of paragraphs.filter((text) => /pnpm bench/.test(text))) {
      expect(paragraph).toMatch(/clone of the repository/)
    }
  })

  it('no README sends the reader to notes a user does not have', () => {
    const readmes = [
      join(root, 'README.md'),
      ...readdirSync(packagesDirectory).map((folder) =>
        join(packagesDirectory, folder, 'README.md'),
      ),
    ].filter((file) => existsSync(file))
    for (const file of readmes) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/closing notes/i)
    }
  })
})
