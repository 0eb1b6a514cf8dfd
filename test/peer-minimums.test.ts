import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  cacheDirectory,
  installPeerSets,
  isTypesOnly,
  type PeerSet,
  peerSets,
  rangeFloors,
  reportFile,
  root,
  testsOfPeer,
  thirdPartyPeers,
} from '../scripts/peer-minimums/peer-sets.mjs'

// A peer range promises that every version it allows works. The workspace tests with one version
// of each peer (the newest, from the lockfile); this runs the tests that use a peer again with the
// lowest version of each range alternative, installed from the npm registry once into
// .cache/peer-minimums (git-ignored, kept between runs) and resolved in place of the workspace's
// by a child Vitest (scripts/peer-minimums/vitest.config.mjs).

interface JsonReport {
  success: boolean
  numPassedTests: number
  numFailedTests: number
  testResults: {
    name: string
    status: string
    message?: string
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[]
  }[]
}

const vitestEntry = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const configFile = join(root, 'scripts', 'peer-minimums', 'vitest.config.mjs')

describe('peer ranges', () => {
  it('reads the lowest version of each alternative, and refuses forms it does not know', () => {
    expect(rangeFloors('^1.19.5 || ^2.0.0')).toEqual(['1.19.5', '2.0.0'])
    expect(rangeFloors('>=5.3.0')).toEqual(['5.3.0'])
    expect(rangeFloors('~4.2.1')).toEqual(['4.2.1'])
    expect(() => rangeFloors('>=1.0.0 <2.0.0')).toThrow(/cannot tell the lowest version/)
    expect(() => rangeFloors('^4')).toThrow(/cannot tell the lowest version/)
  })

  it('every third-party peer with code has one range and a test that runs it', () => {
    const peers = thirdPartyPeers()
    expect(peers.map((peer) => peer.name)).toEqual(
      expect.arrayContaining(['express', 'fastify', 'hono', 'ioredis', 'bullmq']),
    )
    for (const peer of peers.filter((candidate) => !isTypesOnly(candidate.name))) {
      expect(testsOfPeer[peer.name], peer.name).toBeDefined()
      expect(rangeFloors(peer.range).length, peer.name).toBeGreaterThan(0)
    }
    // peerSets() throws for a peer without a test, a range it cannot read or two ranges of one peer.
    expect(peerSets()[0]?.name).toBe('lowest')
  })
})

describe('the tests of every peer at the lowest versions its range allows', () => {
  let sets: PeerSet[]

  beforeAll(async () => {
    sets = await installPeerSets()
  }, 240_000)

  it('install the versions asked for', () => {
    for (const set of sets) {
      for (const [name, version] of Object.entries(set.versions)) {
        const manifest = join(set.directory, 'node_modules', name, 'package.json')
        expect(JSON.parse(readFileSync(manifest, 'utf8')).version, `${name} in ${set.name}`).toBe(
          version,
        )
      }
    }
  })

  it('pass, with every lowered peer resolved from its set', async () => {
    mkdirSync(cacheDirectory, { recursive: true })
    const jsonFile = join(cacheDirectory, `report-${process.pid}.json`)
    rmSync(jsonFile, { force: true })
    // The child is a Vitest of its own: none of this worker's Vitest variables may reach it.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL)/.test(key)),
    )
    const child = spawn(
      process.execPath,
      [
        vitestEntry,
        'run',
        '--config',
        configFile,
        '--reporter=json',
        `--outputFile.json=${jsonFile}`,
      ],
      { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000)
    })
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', resolve)
    })
    const resolvedFile = reportFile(child.pid!)
    const resolved = existsSync(resolvedFile)
      ? (JSON.parse(readFileSync(resolvedFile, 'utf8')) as Record<string, Record<string, string>>)
      : {}
    rmSync(resolvedFile, { force: true })
    expect(existsSync(jsonFile), `no report from the child run:\n${stderr}`).toBe(true)
    const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonReport
    rmSync(jsonFile, { force: true })

    const failures = report.testResults.flatMap((file) => [
      ...(file.status === 'failed' && file.assertionResults.length === 0
        ? [`${file.name}: ${file.message ?? 'failed to load'}`]
        : []),
      ...file.assertionResults
        .filter((test) => test.status === 'failed')
        .map((test) => `${test.fullName}: ${test.failureMessages[0]?.split('\n')[0]}`),
    ])
    expect(failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(report.success).toBe(true)
    expect(report.numPassedTests).toBeGreaterThan(0)

    for (const set of sets) {
      // Every lowered peer was loaded from the set's folder, not the workspace's.
      for (const name of Object.keys(set.lowered)) {
        expect(resolved[set.name]?.[name], `${name} in ${set.name}`).toContain(
          join(set.directory, 'node_modules', name),
        )
      }
      // And each of the set's test patterns ran files.
      for (const pattern of set.tests) {
        const prefix = join(root, pattern.split('*')[0]!)
        expect(
          report.testResults.some((file) => file.name.startsWith(prefix)),
          `${pattern} in ${set.name}`,
        ).toBe(true)
      }
    }
  }, 300_000)
})
