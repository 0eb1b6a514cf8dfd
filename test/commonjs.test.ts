import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assertBuilt,
  linkPackages,
  type PackageManifest,
  packagesDirectory,
  publishedPackages as published,
  root,
} from './support/workspace-packages.js'

// The packages are ESM only, and a CommonJS application loads them with require(), which Node
// supports without flags from 22.12 (the packages' engines floor). A CommonJS file requires every
// entry point of every published package from its built dist/, as an installed package resolves,
// and checks one named export of each; it also runs a task in a WorkerPool from a CommonJS task
// module. `npm test` runs this on Node 24 and on Node 22.13.
const work = join(root, '.cache', `commonjs-${process.pid}`)

/** One named export that each entry point must have, by specifier. */
const namedExports: Record<string, string> = {
  '@loopwork/limiter': 'CapacityLimiter',
  '@loopwork/limiter/redis': 'RedisCapacityLimiter',
  '@loopwork/thread-offload': 'WorkerPool',
  '@loopwork/background-tasks': 'TaskSupervisor',
  '@loopwork/background-tasks/bullmq': 'TaskQueue',
  '@loopwork/background-tasks/sqlite': 'TaskQueue',
  '@loopwork/batcher': 'Batcher',
  '@loopwork/ttl-cache': 'TtlCache',
  '@loopwork/ttl-cache/redis': 'RedisTtlCache',
  '@loopwork/metrics': 'createMetrics',
  '@loopwork/adapters': 'parseCacheControl',
  '@loopwork/adapters/express': 'concurrencyLimit',
  '@loopwork/adapters/fastify': 'concurrencyLimit',
  '@loopwork/adapters/hono': 'concurrencyLimit',
}

/** The JavaScript entry points a package exports, as an application writes them. */
function entryPointsOf(manifest: PackageManifest): string[] {
  return Object.keys(manifest.exports)
    .filter((subpath) => !subpath.endsWith('.json'))
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`))
}

const entryPoints = published.flatMap(({ manifest }) => entryPointsOf(manifest))

const checkScript = `'use strict'
const { pathToFileURL } = require('node:url')
const { join } = require('node:path')
const expected = ${JSON.stringify(namedExports)}
const found = {}
for (const [specifier, name] of Object.entries(expected)) {
  try {
    found[specifier] = typeof require(specifier)[name]
  } catch (error) {
    found[specifier] = String(error && error.code ? error.code + ': ' + error.message : error)
  }
}
const { WorkerPool } = require('@loopwork/thread-offload')
const pool = new WorkerPool({ module: pathToFileURL(join(__dirname, 'tasks.cjs')), maxThreads: 1 })
pool
  .run('triple', [14])
  .then((tripled) => pool.close().then(() => tripled))
  .then(
    (tripled) => console.log(JSON.stringify({ found, tripled })),
    (error) => console.log(JSON.stringify({ found, tripled: String(error) })),
  )
`

const tasksModule = `'use strict'
exports.triple = (value) => value * 3
`

beforeAll(() => {
  for (const { folder, manifest } of published) {
    const files = Object.values(manifest.exports).map((target) =>
      typeof target === 'string' ? target : (target as { default?: string }).default,
    )
    assertBuilt(
      folder,
      files.filter((file) => file !== undefined),
    )
  }
  // An application's folder: CommonJS, with each package linked into node_modules.
  linkPackages(
    work,
    published.map(({ folder }) => folder),
  )
  writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'commonjs', private: true }))
  writeFileSync(join(work, 'check.cjs'), checkScript)
  writeFileSync(join(work, 'tasks.cjs'), tasksModule)
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the Module formats section of every package README', () => {
  it.each(published.map(({ folder, manifest }) => [folder, manifest] as const))(
    '%s: says require() works from Node 22.12 and names every entry point',
    (folder, manifest) => {
      const readme = readFileSync(join(packagesDirectory, folder, 'README.md'), 'utf8')
      const start = readme.indexOf('\n## Module formats\n')
      expect(start, 'a "## Module formats" section').toBeGreaterThan(0)
      const end = readme.indexOf('\n## ', start + 1)
      const section = readme.slice(start, end === -1 ? undefined : end)
      expect(section).toContain('ES modules only')
      expect(section).toContain('`require()`')
      expect(section).toContain('Node 22.12')
      expect(section).toContain('"nodenext"')
      for (const entry of entryPointsOf(manifest)) expect(section).toContain(entry)
    },
  )
})

describe(`require() of the packages (Node ${process.versions.node})`, () => {
  it('names a check for every entry point the packages export', () => {
    expect(Object.keys(namedExports).sort()).toEqual([...entryPoints].sort())
  })

  it('loads every entry point with its named exports, and a WorkerPool runs a CommonJS task module', () => {
    const result = spawnSync(process.execPath, [join(work, 'check.cjs')], {
      cwd: work,
      encoding: 'utf8',
      timeout: 30_000,
    })
    // Node 22 flags node:sqlite (which the sqlite entry point loads) as experimental, import() or
    // require() alike; anything else on stderr, such as a warning about require() of ES modules,
    // fails the test.
    const warnings = result.stderr
      .split('\n')
      .filter((line) => line !== '' && !/ExperimentalWarning: SQLite|--trace-warnings/.test(line))
    expect(warnings).toEqual([])
    expect(result.status).toBe(0)
    const { found, tripled } = JSON.parse(result.stdout)
    expect(found).toEqual(
      Object.fromEntries(Object.keys(namedExports).map((specifier) => [specifier, 'function'])),
    )
    expect(tripled).toBe(42)
  }, 40_000)
})
