import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const recorder = fileURLToPath(new URL('../support/record-modules.mjs', import.meta.url))

/** The node_modules packages a fresh process loads to import `specifier` (from this package's sources). */
async function modulesLoadedBy(specifier: string): Promise<{ urls: string[]; packages: string[] }> {
  const { stdout } = await run(
    process.execPath,
    [
      '--conditions=@loopwork/source',
      '--import',
      'tsx',
      '--import',
      recorder,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(specifier)})`,
    ],
    { cwd: packageRoot },
  )
  const urls: string[] = JSON.parse(stdout.trim().split('\n').at(-1)!)
  const packages = new Set<string>()
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(url)
    if (match !== null) packages.add(match[1]!)
  }
  return { urls, packages: [...packages] }
}

const frameworks = ['express', 'fastify', 'fastify-plugin', 'hono', '@hono/node-server']

describe('importing one subpath never loads another framework', () => {
  it.each([
    ['@loopwork/adapters/express', 'src/express/index.ts', []],
    ['@loopwork/adapters/fastify', 'src/fastify/index.ts', ['fastify-plugin']],
    // Nothing of Hono is imported at run time: a subpath such as hono/route, which older Hono 4
    // releases lack, would make the import fail there.
    ['@loopwork/adapters/hono', 'src/hono/index.ts', []],
    ['@loopwork/adapters', 'src/index.ts', []],
  ])('%s (from %s) loads only the frameworks %j', async (specifier, entry, allowed) => {
    const { urls, packages } = await modulesLoadedBy(specifier)
    // The probe works: it saw the entry itself being resolved.
    expect(urls.some((url) => url.endsWith(`/packages/adapters/${entry}`))).toBe(true)
    expect(packages.filter((name) => frameworks.includes(name)).sort()).toEqual([...allowed].sort())
  })
})
