// Runs the tests of each peer set (peer-sets.mjs) with the set's versions resolved in place of the
// workspace's: one project per set, whose plugin resolves every import of a peer in the set (from
// the tests, the sources and what they import through Vite) from the set's folder. Packages loaded
// by Node itself resolve their own imports, so peers that import one another are installed side by
// side there. Started by test/peer-minimums.test.ts, which reads where every peer resolved from
// reportFile(pid of this run), to tell the versions were really used.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { defineConfig } from 'vitest/config'
import { isInstalled, peerSets, reportFile, root } from './peer-sets.mjs'

const conditions = ['@loopwork/source', 'module', 'node', 'development|production']
const report = reportFile(process.pid)

/** Adds where `name` resolved in `set` to the report (once per peer and set: a few writes). */
function record(set, name, path) {
  const paths = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : {}
  paths[set.name] = { ...paths[set.name], [name]: path }
  writeFileSync(report, `${JSON.stringify(paths, null, 2)}\n`)
}

function packageNameOf(source) {
  const parts = source.split('/')
  return source.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

function resolveFromSet(set) {
  const names = new Set(Object.keys(set.versions))
  // Bare imports are resolved as if made by a file at the top of the set's folder.
  const importer = join(set.directory, 'package.json')
  const seen = new Set()
  return {
    name: `loopwork:peer-set:${set.directory}`,
    enforce: 'pre',
    async resolveId(source, _importer, options) {
      const name = packageNameOf(source)
      if (!names.has(name)) return null
      const result = await this.resolve(source, importer, { ...options, skipSelf: true })
      if (result === null || !result.id.startsWith(set.directory + sep)) {
        throw new Error(`${source} resolved to ${result?.id} instead of ${set.directory}`)
      }
      if (!seen.has(name)) {
        seen.add(name)
        record(set, name, result.id)
      }
      return result
    },
  }
}

const sets = peerSets()
for (const set of sets) {
  if (!isInstalled(set)) throw new Error(`${set.directory} is not installed: run peer-sets.mjs`)
}

export default defineConfig({
  test: {
    // The suites mostly wait on timers and sockets: more workers than cores shorten the run.
    maxWorkers: 4,
    // Every import is resolved afresh, through the plugin: a module transformed in an earlier run
    // comes from the cache with its imports already resolved, and would go unreported.
    fsModuleCache: false,
    projects: sets.map((set, index) => ({
      root,
      plugins: [resolveFromSet(set)],
      resolve: { conditions },
      ssr: { resolve: { conditions } },
      test: {
        name: `peer ${set.name}`,
        // One set after the other: several copies of the timing-sensitive suites at once on a
        // loaded machine would wait longer than they allow.
        sequence: { groupOrder: index },
        include: set.tests,
        testTimeout: 20_000,
        hookTimeout: 20_000,
      },
    })),
  },
})
