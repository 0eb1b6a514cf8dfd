import { execFile } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type PackageManifest,
  packagesDirectory,
  publishedPackages as published,
  root,
} from './support/workspace-packages.js'

// A release, dry: `changeset version` on a copy of the repository, `pnpm pack` of every package
// (as `changeset publish` packs them: pnpm applies publishConfig), then the tarballs installed in
// a fresh project and every entry point imported and required there, as a user would.
const run = promisify(execFile)
const repository = 'https://github.com/loopwork-dev/loopwork'

/** The exports map without the condition that points at the unpublished TypeScript sources. */
function withoutSourceCondition(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([condition]) => condition !== '@loopwork/source')
      .map(([condition, inner]) => [condition, withoutSourceCondition(inner)]),
  )
}

/** Every file path an exports map points at. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (typeof value !== 'object' || value === null) return []
  return Object.values(value).flatMap(targets)
}

let work: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'loopwork-release-'))
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

describe('package manifests', () => {
  it.each(published)(
    '$folder links the repository, its folder, the homepage and bugs',
    ({ folder, manifest }) => {
      expect(manifest.repository).toEqual({
        type: 'git',
        url: `git+${repository}.git`,
        directory: `packages/${folder}`,
      })
      expect(manifest.homepage).toBe(`${repository}/tree/main/packages/${folder}#readme`)
      expect(manifest.bugs).toEqual({ url: `${repository}/issues` })
    },
  )

  it.each(published)(
    '$folder publishes its exports without the source condition',
    ({ manifest }) => {
      expect(manifest.publishConfig?.access).toBe('public')
      expect(manifest.publishConfig?.exports).toEqual(withoutSourceCondition(manifest.exports))
    },
  )
})

describe('release dry run', () => {
  it('changeset version writes each package a CHANGELOG.md with its changesets', async () => {
    const copy = join(work, 'repository')
    const { stdout } = await run('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 64 << 20 })
    for (const file of stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(root, file))) continue
      mkdirSync(dirname(join(copy, file)), { recursive: true })
      cpSync(join(root, file), join(copy, file))
    }
    // The changelog generator is resolved from the repository's dependencies.
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir')
    // The changesets the copy holds (the committed ones, as the release job sees them), read before
    // `changeset version` consumes them.
    const changesetDirectory = join(copy, '.changeset')
    const changesets = readdirSync(changesetDirectory)
      .filter((file) => file.endsWith('.md') && file !== 'README.md')
      .map((file) => {
        const text = readFileSync(join(changesetDirectory, file), 'utf8')
        const [, frontmatter = '', body = ''] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? []
        const names = [...frontmatter.matchAll(/^["']?(@loopwork\/[\w-]+)["']?\s*:/gm)].map(
          (match) => match[1],
        )
        return { file, names, body }
      })
    await run(
      process.execPath,
      [join(root, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'],
      {
        cwd: copy,
      },
    )

    expect(changesets.length).toBeGreaterThan(0)
    // Consumed into the changelogs, as in the version pull request.
    expect(
      readdirSync(changesetDirectory).filter(
        (file) => file !== 'README.md' && file.endsWith('.md'),
      ),
    ).toEqual([])
    const words = (text: string) => text.replace(/\s+/g, ' ').trim()
    for (const { folder, manifest } of published) {
      const changelogFile = join(copy, 'packages', folder, 'CHANGELOG.md')
      expect(existsSync(changelogFile), `${manifest.name} has a CHANGELOG.md`).toBe(true)
      const changelog = words(readFileSync(changelogFile, 'utf8'))
      const versioned = JSON.parse(
        readFileSync(join(copy, 'packages', folder, 'package.json'), 'utf8'),
      )
      expect(changelog).toContain(`## ${versioned.version}`)
      expect(versioned.version).not.toBe(manifest.version)
      for (const changeset of changesets.filter(({ names }) => names.includes(manifest.name))) {
        expect(changelog, `${changeset.file} in ${manifest.name}'s changelog`).toContain(
          words(changeset.body),
        )
      }
    }
  }, 60_000)

  it('every package packs, installs from its tarball, and every entry point imports and requires', async () => {
    const tarballs = join(work, 'tarballs')
    mkdirSync(tarballs)
    const packed = await Promise.all(
      published.map(async ({ folder }) => {
        const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', tarballs], {
          cwd: join(packagesDirectory, folder),
        })
        return {
          folder,
          ...(JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }),
        }
      }),
    )
    for (const { name, files } of packed) {
      const paths = files.map((file) => file.path)
      expect(
        paths.filter((path) => path.endsWith('.map')),
        `${name} ships no source maps`,
      ).toEqual([])
      expect(
        paths.filter((path) => path.startsWith('src/')),
        `${name} ships no sources`,
      ).toEqual([])
    }

    // A user's project: the tarballs, plus every optional peer a subpath needs (hono for
    // @loopwork/adapters/hono, bullmq for @loopwork/background-tasks/bullmq...) from the registry.
    const project = join(work, 'project')
    mkdirSync(project)
    const dependencies: Record<string, string> = {}
    for (const { name, filename } of packed) dependencies[name] = `file:${filename}`
    for (const { manifest } of published) {
      for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (!peer.startsWith('@loopwork/') && !peer.startsWith('@types/'))
          dependencies[peer] ??= range
      }
    }
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'release-check', private: true, type: 'module', dependencies }),
    )
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--no-package-lock',
        '--loglevel=error',
      ],
      { cwd: project, timeout: 120_000 },
    )

    const entries: string[] = []
    for (const { folder, manifest } of published) {
      const installed = join(project, 'node_modules', ...manifest.name.split('/'))
      const packedManifest = JSON.parse(
        readFileSync(join(installed, 'package.json'), 'utf8'),
      ) as PackageManifest
      // What the registry gets: no condition or range that only makes sense inside the repository.
      expect(JSON.stringify(packedManifest), manifest.name).not.toMatch(
        /@loopwork\/source|workspace:/,
      )
      expect(packedManifest.repository?.directory).toBe(`packages/${folder}`)
      for (const target of targets(packedManifest.exports)) {
        expect(
          existsSync(join(installed, target)),
          `${manifest.name}: ${target} is in the tarball`,
        ).toBe(true)
      }
      for (const subpath of Object.keys(packedManifest.exports)) {
        entries.push(`${manifest.name}${subpath.slice(1)}`)
      }
    }

    // ESM import and require() of ESM (from a .cjs file; Node >= 22.12): the same names both ways.
    writeFileSync(
      join(project, 'imports.mjs'),
      `const out = {}
for (const entry of JSON.parse(process.argv[2])) {
  const module = entry.endsWith('.json') ? await import(entry, { with: { type: 'json' } }) : await import(entry)
  out[entry] = Object.keys(entry.endsWith('.json') ? module.default : module).sort()
}
process.stdout.write(JSON.stringify(out))
`,
    )
    writeFileSync(
      join(project, 'requires.cjs'),
      `const out = {}
for (const entry of JSON.parse(process.argv[2])) out[entry] = Object.keys(require(entry)).filter((key) => key !== '__esModule' && key !== 'module.exports').sort()
process.stdout.write(JSON.stringify(out))
`,
    )
    const names = async (script: string) =>
      JSON.parse(
        (await run(process.execPath, [script, JSON.stringify(entries)], { cwd: project })).stdout,
      ) as Record<string, string[]>
    const [imported, required] = await Promise.all([names('imports.mjs'), names('requires.cjs')])
    for (const entry of entries) {
      expect(imported[entry]!.length, `${entry} has named exports`).toBeGreaterThan(0)
      expect(required[entry], `require('${entry}') gives what import gives`).toEqual(
        imported[entry],
      )
    }
    for (const { manifest } of published) {
      // Every package re-exports the shared error base and its guard.
      expect(imported[manifest.name]).toEqual(
        expect.arrayContaining(['LoopworkError', 'isLoopworkError']),
      )
      expect(imported[`${manifest.name}/package.json`]).toEqual(
        expect.arrayContaining(['name', 'version']),
      )
    }
  }, 180_000)
})
