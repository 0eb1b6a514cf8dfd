// The lowest version of every peer dependency that the packages' ranges allow, installed from the
// npm registry into .cache/peer-minimums (git-ignored, kept between runs), so the tests that use a
// peer can run against that version too (vitest.config.mjs beside this file).
//
// A range is a list of alternatives (`^1.19.5 || ^2.0.0`): set 0 holds every peer at the lowest
// version of its range; set k holds each peer that has more than k alternatives at the lowest
// version of alternative k. Peers that import each other at run time (@hono/node-server imports
// hono, BullMQ imports ioredis) are installed side by side, the one not being lowered at the
// version the workspace tests with, so each resolves the other from the same folder.
import { execFile } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const cacheDirectory = join(root, '.cache', 'peer-minimums')

const conformance = 'packages/adapters/test/conformance/**/*.test.ts'
const redisClients = 'scripts/peer-minimums/redis-clients.check.ts'

/**
 * The tests that exercise each peer, by path from the repository root. Every peer with code (not
 * only type declarations) needs an entry: the check fails for a peer it cannot run.
 */
export const testsOfPeer = {
  express: [conformance],
  fastify: [conformance],
  hono: [conformance],
  '@hono/node-server': [conformance],
  ioredis: [redisClients],
  bullmq: [redisClients],
}

/** Type declarations have no run-time behaviour to check. */
export function isTypesOnly(name) {
  return name.startsWith('@types/')
}

/**
 * The lowest version each alternative of `range` allows, in the order written. Only the forms the
 * manifests use are read (`^1.2.3`, `~1.2.3`, `>=1.2.3`, `1.2.3`, joined by `||`); anything else
 * throws, so a new form is noticed rather than checked wrongly.
 */
export function rangeFloors(range) {
  return range.split('||').map((alternative) => {
    const match = /^(?:\^|~|>=)?\s*(\d+)\.(\d+)\.(\d+)$/.exec(alternative.trim())
    if (match === null) throw new Error(`cannot tell the lowest version of "${alternative.trim()}"`)
    return `${match[1]}.${match[2]}.${match[3]}`
  })
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/**
 * The third-party peers of every package: name, range, the packages that declare it and the
 * version the workspace tests with. The same peer must have one range across packages.
 */
export function thirdPartyPeers() {
  const peers = new Map()
  const packagesDirectory = join(root, 'packages')
  for (const folder of readdirSync(packagesDirectory).sort()) {
    const manifestFile = join(packagesDirectory, folder, 'package.json')
    if (!existsSync(manifestFile)) continue
    const manifest = readJson(manifestFile)
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (range.startsWith('workspace:')) continue
      const known = peers.get(name)
      if (known !== undefined && known.range !== range) {
        throw new Error(
          `${name} is a peer of ${known.packages.join(', ')} as "${known.range}" but of ${manifest.name} as "${range}": give it one range`,
        )
      }
      const installed = join(packagesDirectory, folder, 'node_modules', name, 'package.json')
      const peer = known ?? { name, range, packages: [], workspaceVersion: undefined, peers: [] }
      peer.packages.push(manifest.name)
      if (peer.workspaceVersion === undefined && existsSync(installed)) {
        const installedManifest = readJson(installed)
        peer.workspaceVersion = installedManifest.version
        peer.peers = Object.keys(installedManifest.peerDependencies ?? {})
      }
      peers.set(name, peer)
    }
  }
  return [...peers.values()]
}

/** The folder a set is installed in: its packages and versions, so a changed range gets its own. */
function folderName(versions) {
  return Object.entries(versions)
    .map(([name, version]) => `${name.replace('/', '__')}@${version}`)
    .join('+')
}

/**
 * The sets to install and test: `{ name, versions, lowered, tests, directory }`, where `lowered`
 * are the peers at a range floor and `versions` adds the peers installed beside them.
 */
export function peerSets() {
  const peers = thirdPartyPeers().filter((peer) => !isTypesOnly(peer.name))
  for (const peer of peers) {
    if (testsOfPeer[peer.name] === undefined) {
      throw new Error(`no test runs the peer ${peer.name}: add it to testsOfPeer`)
    }
    if (peer.workspaceVersion === undefined) {
      throw new Error(`${peer.name} is not installed in the workspace: add it to devDependencies`)
    }
  }
  const byName = new Map(peers.map((peer) => [peer.name, peer]))
  /** Peers that import one another at run time, both ways. */
  const companions = (name) =>
    peers
      .filter((peer) => peer.peers.includes(name) || byName.get(name).peers.includes(peer.name))
      .map((peer) => peer.name)
  const alternatives = Math.max(...peers.map((peer) => rangeFloors(peer.range).length))
  const sets = []
  for (let index = 0; index < alternatives; index++) {
    const lowered = {}
    for (const peer of peers) {
      const floors = rangeFloors(peer.range)
      if (index === 0) lowered[peer.name] = floors.reduce(lowerVersion)
      else if (floors.length > index) lowered[peer.name] = floors[index]
    }
    const versions = { ...lowered }
    for (const name of Object.keys(lowered)) {
      for (const companion of companions(name)) {
        versions[companion] ??= byName.get(companion).workspaceVersion
      }
    }
    const sorted = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => (a < b ? -1 : 1)))
    const tests = [...new Set(Object.keys(lowered).flatMap((name) => testsOfPeer[name]))]
    sets.push({
      name: index === 0 ? 'lowest' : `lowest of alternative ${index + 1}`,
      lowered,
      versions: sorted,
      tests,
      directory: join(cacheDirectory, folderName(sorted)),
    })
  }
  return sets
}

function lowerVersion(a, b) {
  const [left, right] = [a, b].map((version) => version.split('.').map(Number))
  for (let part = 0; part < 3; part++) {
    if (left[part] !== right[part]) return left[part] < right[part] ? a : b
  }
  return a
}

/** Where the run of vitest.config.mjs in process `pid` writes the path each peer resolved to. */
export function reportFile(pid) {
  return join(cacheDirectory, `resolved-${pid}.json`)
}

/** Whether a set's folder holds a finished install. */
export function isInstalled(set) {
  return existsSync(join(set.directory, 'installed.json'))
}

/**
 * Installs each set not installed yet with npm into a folder of its own (the versions exactly; no
 * install scripts; no peers pulled in beyond the set), first under a temporary name, so an
 * interrupted install is never taken for a finished one.
 */
export async function installPeerSets(sets = peerSets()) {
  for (const set of sets) {
    if (isInstalled(set)) continue
    const temporary = `${set.directory}.partial-${process.pid}`
    rmSync(temporary, { recursive: true, force: true })
    mkdirSync(temporary, { recursive: true })
    // A manifest makes the folder a project, which module resolution starts from.
    writeFileSync(join(temporary, 'package.json'), '{ "private": true }\n')
    const specs = Object.entries(set.versions).map(([name, version]) => `${name}@${version}`)
    // npm's own variables (set when this runs under `npm test`) would point it elsewhere.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
    )
    try {
      await promisify(execFile)(
        process.platform === 'win32' ? 'npm.cmd' : 'npm',
        [
          'install',
          '--prefix',
          temporary,
          '--no-save',
          '--no-package-lock',
          '--legacy-peer-deps',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          ...specs,
        ],
        { cwd: temporary, env, shell: process.platform === 'win32' },
      )
    } catch (error) {
      rmSync(temporary, { recursive: true, force: true })
      throw new Error(`npm install ${specs.join(' ')} failed: ${error.stderr || error.message}`)
    }
    writeFileSync(join(temporary, 'installed.json'), `${JSON.stringify(set.versions, null, 2)}\n`)
    if (isInstalled(set)) {
      rmSync(temporary, { recursive: true, force: true })
    } else {
      rmSync(set.directory, { recursive: true, force: true })
      renameSync(temporary, set.directory)
    }
  }
  // Sets of ranges no longer declared are not needed again.
  const current = new Set(sets.map((set) => basename(set.directory)))
  for (const entry of readdirSync(cacheDirectory)) {
    if (!current.has(entry) && !entry.includes('.partial-') && !entry.endsWith('.json')) {
      rmSync(join(cacheDirectory, entry), { recursive: true, force: true })
    }
  }
  return sets
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const set of await installPeerSets()) {
    process.stdout.write(`${set.name}: ${JSON.stringify(set.versions)}\n  ${set.directory}\n`)
  }
}
