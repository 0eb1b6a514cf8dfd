#!/usr/bin/env node
// `pnpm bench [package...]` (or `pnpm bench --filter <package>`): builds, runs each package's
// benchmarks one package at a time (turbo, concurrency 1, so no two benchmarks share the CPUs), each
// writing bench-results/<name>.json, then renders those results into the package READMEs.
import { spawnSync } from 'node:child_process'
import { publishedPackages, root } from './bench-render.mjs'

const args = process.argv.slice(2)
const requested = []
for (let index = 0; index < args.length; index++) {
  const arg = args[index]
  if (arg === '--filter') requested.push(args[++index])
  else if (arg.startsWith('--filter=')) requested.push(arg.slice('--filter='.length))
  else requested.push(arg)
}
const folders = requested.map((name) => name?.replace(/^@loopwork\//, ''))
const known = publishedPackages()
for (const folder of folders) {
  if (folder === undefined || !known.includes(folder)) {
    process.stderr.write(`unknown package "${folder}"; the packages are: ${known.join(', ')}\n`)
    process.exit(2)
  }
}

const run = (command, commandArgs) =>
  spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  }).status ?? 1

// A package's bench script runs all of its benchmarks (the limiter's includes the Redis one).
const status = run('pnpm', [
  'exec',
  'turbo',
  'run',
  'bench',
  '--concurrency=1',
  ...folders.map((folder) => `--filter=@loopwork/${folder}`),
])
if (status !== 0) process.exit(status)
process.exit(run('node', ['scripts/bench-report.mjs', ...folders]))
