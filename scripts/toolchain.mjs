#!/usr/bin/env node
// The entry point of the README's two commands (`npm start`, `npm test`).
// It must run on whatever Node the machine has (our own machines ship an end-of-life Node 20),
// so it is plain JavaScript with no dependencies. When the running Node is older than 22 it
// fetches Node 24 from the npm registry's `node` package into .cache/toolchain (git-ignored),
// touching no system file, and re-runs itself with it. pnpm comes the same way, at the version
// pinned in package.json's `packageManager`, so no global pnpm or corepack is needed.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const toolchainDirectory = join(root, '.cache', 'toolchain')
const binDirectory = join(toolchainDirectory, 'node_modules', '.bin')
// pnpm 11 itself needs Node >= 22.13, a little above the packages' own floor of 22.12.
const minimumNode = [22, 13]
const fetchedNodeVersion = '24'
// The suite also runs on the oldest Node the packages support (their `engines` floor), fetched the
// same way into a folder of its own, since one npm prefix holds one version of the `node` package.
const oldestNodeVersion = '22.13'
const oldestNodeDirectory = join(root, '.cache', 'toolchain-node22')
const command = process.argv[2]
// Only loopback traffic here: keep turbo from phoning home.
process.env.TURBO_TELEMETRY_DISABLED = '1'
process.env.DO_NOT_TRACK = '1'

const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pnpmVersion = String(packageJson.packageManager).replace(/^pnpm@/, '')

function log(message) {
  process.stdout.write(`[loopwork] ${message}\n`)
}

function run(executable, args, options = {}) {
  const result = spawnSync(executable, args, { cwd: root, stdio: 'inherit', ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

function mustRun(executable, args) {
  const status = run(executable, args)
  if (status !== 0) {
    log(`\`${executable} ${args.join(' ')}\` failed with exit code ${status}`)
    process.exit(status)
  }
}

function installedVersion(name) {
  const manifest = join(toolchainDirectory, 'node_modules', name, 'package.json')
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined
}

function ensureToolchain() {
  const wanted = [`pnpm@${pnpmVersion}`]
  const [major, minor] = process.versions.node.split('.').map(Number)
  const needsNode = major < minimumNode[0] || (major === minimumNode[0] && minor < minimumNode[1])
  if (needsNode && !installedVersion('node')?.startsWith(`${fetchedNodeVersion}.`)) {
    wanted.push(`node@${fetchedNodeVersion}`)
  } else if (installedVersion('pnpm') === pnpmVersion) {
    wanted.length = 0
  }
  if (wanted.length > 0) {
    log(
      `fetching ${wanted.join(' and ')} into .cache/toolchain (Node ${process.versions.node} is running)`,
    )
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    mustRun(npm, [
      'install',
      '--prefix',
      toolchainDirectory,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...wanted,
    ])
  }
  return needsNode
}

/** The Node binary of the oldest supported version, fetched on first use. */
function ensureOldestNode() {
  const manifest = join(oldestNodeDirectory, 'node_modules', 'node', 'package.json')
  const installed = existsSync(manifest)
    ? JSON.parse(readFileSync(manifest, 'utf8')).version
    : undefined
  if (!installed?.startsWith(`${oldestNodeVersion}.`)) {
    log(`fetching node@${oldestNodeVersion} into .cache/toolchain-node22 for the Node 22 test run`)
    mustRun(process.platform === 'win32' ? 'npm.cmd' : 'npm', [
      'install',
      '--prefix',
      oldestNodeDirectory,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node@${oldestNodeVersion}`,
    ])
  }
  return join(oldestNodeDirectory, 'node_modules', '.bin', 'node')
}

/** Which Node binaries run the suite: `LOOPWORK_TEST_NODES` ("24,22" by default) picks them. */
function testNodes() {
  const wanted = (process.env.LOOPWORK_TEST_NODES ?? '24,22')
    .split(',')
    .map((entry) => entry.trim())
  const nodes = []
  for (const major of wanted) {
    // The running Node: the fetched Node 24, or the machine's own when it is recent enough.
    if (major === '24') nodes.push(`${process.versions.node.split('.')[0]}=${process.execPath}`)
    else if (major === '22') nodes.push(`22=${ensureOldestNode()}`)
    else {
      log(`LOOPWORK_TEST_NODES names Node ${major}; the suite runs on 22 and 24`)
      process.exit(2)
    }
  }
  return nodes.join(',')
}

/** Starts the local Redis the distributed tests use when nothing listens on its port yet. */
async function ensureRedis() {
  if (process.env.REDIS_URL) return
  const listening = await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 })
    socket.once('connect', () => resolve(socket.end() && true))
    socket.once('error', () => resolve(false))
  })
  if (listening) return
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' })
  if (found.status !== 0) {
    log('no Redis on 127.0.0.1:6379 and no redis-server to start: the Redis-backed tests will fail')
    return
  }
  log('starting a throw-away Redis on 127.0.0.1:6379 for the Redis-backed tests')
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
  ])
}

/**
 * Debian's Chromium, which the status-page browser tests drive through playwright-core (browser
 * downloads are not an option here): installed with apt-get when /usr/bin/chromium is missing, as
 * on a clean CI machine (root); nothing happens when it is there.
 */
function ensureChromium() {
  const chromium = '/usr/bin/chromium'
  if (process.platform !== 'linux' || existsSync(chromium)) return
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    log(`no ${chromium} and no apt-get to install it: the status-page browser tests will fail`)
    return
  }
  log(`installing Debian's chromium into ${chromium} for the status-page browser tests`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const status = run('apt-get', args, { env })
    if (status !== 0) {
      log(`\`apt-get ${args.join(' ')}\` failed with exit code ${status}`)
      process.exit(status)
    }
  }
}

function install() {
  const frozen =
    existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : []
  mustRun('pnpm', ['install', ...frozen])
}

const commands = {
  async test() {
    install()
    mustRun('pnpm', [
      'exec',
      'turbo',
      'run',
      'build',
      'typecheck',
      'lint',
      '--output-logs=errors-only',
    ])
    mustRun('pnpm', ['exec', 'biome', 'check', '.'])
    await ensureRedis()
    ensureChromium()
    const nodes = testNodes()
    process.exit(
      run('node', [join(root, 'scripts', 'run-tests.mjs')], {
        env: { ...process.env, LOOPWORK_TEST_NODE_BINARIES: nodes },
      }),
    )
  },
  async start() {
    install()
    mustRun('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'])
    process.exit(run('pnpm', ['run', 'main-job', ...process.argv.slice(3)]))
  },
}

if (!(command in commands)) {
  log(`unknown command "${command}"; use one of: ${Object.keys(commands).join(', ')}`)
  process.exit(2)
}

const needsNode = process.env.LOOPWORK_TOOLCHAIN_READY ? false : ensureToolchain()
process.env.PATH = `${binDirectory}${delimiter}${process.env.PATH}`
if (needsNode) {
  const node = join(binDirectory, process.platform === 'win32' ? 'node.exe' : 'node')
  const status = run(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    env: { ...process.env, LOOPWORK_TOOLCHAIN_READY: '1' },
  })
  process.exit(status)
}
await commands[command]()
