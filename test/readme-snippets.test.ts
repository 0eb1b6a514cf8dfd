import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assertBuilt,
  linkPackages,
  packagesDirectory,
  publishedPackages as published,
  root,
} from './support/workspace-packages.js'

// Every ```ts / ```typescript block of a package README type-checks against the built packages
// (dist/*.d.ts, as a user gets them), and every ```js block runs. A block is skipped when it is
// tagged otherwise (`text`, `sh`...) or when the line before it is `<!-- no-check -->`.
// Blocks are written into a folder inside each package, so the package's own dependencies resolve
// as they would for a user who installed it; every @loopwork/* package is linked beside them.
const folderName = `.readme-check-${process.pid}`
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

interface Block {
  /** The file the block is written to: the name its first line gives (`// tasks.ts`), or one made up. */
  file: string
  readme: string
  folder: string
  /** 1-based line of the README where the block's first code line is. */
  line: number
  language: 'ts' | 'js'
  code: string
}

/** The checked code blocks of a README, with where they start. */
function extractBlocks(text: string, readme: string, folder: string): Block[] {
  const lines = text.split('\n')
  const blocks: Block[] = []
  for (let index = 0; index < lines.length; index++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[index]!)
    if (fence === null) continue
    const [, indent, marker, info] = fence
    let end = index + 1
    while (end < lines.length && !lines[end]!.trimStart().startsWith(marker!)) end++
    let before = index - 1
    while (before >= 0 && lines[before]!.trim() === '') before--
    const skipped = before >= 0 && lines[before]!.trim() === '<!-- no-check -->'
    const language = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' }[info!] as
      | 'ts'
      | 'js'
      | undefined
    if (language !== undefined && !skipped) {
      const named = /^\/\/ ([\w.-]+\.(?:ts|mts|js|mjs))\b/.exec(lines[index + 1] ?? '')?.[1]
      const made = `block-${blocks.length + 1}.${language === 'ts' ? 'ts' : 'mjs'}`
      blocks.push({
        // A block that names its file (`// tasks.ts`) can be imported by the others (`./tasks.js`).
        file: named !== undefined && !blocks.some((block) => block.file === named) ? named : made,
        readme,
        folder,
        line: index + 2,
        language,
        code: lines
          .slice(index + 1, end)
          .map((line) => (line.startsWith(indent!) ? line.slice(indent!.length) : line))
          .join('\n'),
      })
    }
    index = end
  }
  return blocks
}

const blocks = published.flatMap(({ folder }) => {
  const readme = join(packagesDirectory, folder, 'README.md')
  return existsSync(readme) ? extractBlocks(readFileSync(readme, 'utf8'), readme, folder) : []
})
const tsBlocks = blocks.filter((block) => block.language === 'ts')
const jsBlocks = blocks.filter((block) => block.language === 'js')

const fileOf = (block: Block) => join(packagesDirectory, block.folder, folderName, block.file)
const where = (block: Block) => `${relative(root, block.readme)}:${block.line}`

// A deliberate type error, checked in the same compiler run: proves errors are seen at all.
const control = { folder: published[0]!.folder, file: 'control.ts' }
let errors = new Map<string, string[]>()

beforeAll(() => {
  for (const { folder } of published) {
    linkPackages(
      join(packagesDirectory, folder, folderName),
      published.map((other) => other.folder),
    )
  }
  for (const block of blocks) writeFileSync(fileOf(block), `${block.code}\nexport {}\n`)
  writeFileSync(
    join(packagesDirectory, control.folder, folderName, control.file),
    "const wrong: number = 'text'\nexport { wrong }\n",
  )
  // Type-checked as a user compiles against the published types: no @loopwork/source condition.
  const configDirectory = join(root, '.cache', folderName)
  mkdirSync(configDirectory, { recursive: true })
  writeFileSync(
    join(configDirectory, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        customConditions: [],
        declaration: false,
        declarationMap: false,
      },
      include: published.map(({ folder }) => join(packagesDirectory, folder, folderName, '*.ts')),
    }),
  )
  for (const { folder, manifest } of published) {
    const types = Object.values(manifest.publishConfig?.exports ?? manifest.exports ?? {})
      .map((entry) => (typeof entry === 'object' ? (entry as { types?: string }).types : undefined))
      .filter((path): path is string => path !== undefined)
    assertBuilt(folder, types)
  }
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', join(configDirectory, 'tsconfig.json'), '--pretty', 'false'],
    { cwd: root, encoding: 'utf8', timeout: 150_000 },
  )
  errors = new Map()
  let last: string[] | undefined
  for (const line of `${result.stdout}${result.stderr}`.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line)
    if (match !== null) {
      const file = join(root, match[1]!)
      last = errors.get(file) ?? []
      errors.set(file, last)
      last.push(`line ${match[2]}: ${match[4]}`)
    } else if (line.startsWith('  ') && last !== undefined) {
      last.push(line)
    }
  }
}, 180_000)

afterAll(() => {
  for (const { folder } of published) {
    rmSync(join(packagesDirectory, folder, folderName), { recursive: true, force: true })
  }
  rmSync(join(root, '.cache', folderName), { recursive: true, force: true })
})

describe('README code blocks', () => {
  it('the checker reports a type error in a block', () => {
    const file = join(packagesDirectory, control.folder, folderName, control.file)
    expect(errors.get(file)?.join('\n')).toMatch(/TS2322/)
  })

  it.each(tsBlocks.map((block) => [where(block), block] as const))(
    '%s type-checks against the built packages',
    (_where, block) => {
      const found = (errors.get(fileOf(block)) ?? []).map((message) =>
        message.replace(
          /^line (\d+)/,
          (_whole, line) => `README line ${block.line + Number(line) - 1}`,
        ),
      )
      expect(found).toEqual([])
    },
  )

  it('a js block runs with every @loopwork package importable, and a throwing one fails', () => {
    const directory = join(packagesDirectory, control.folder, folderName)
    const names = published.map(({ folder }) => `@loopwork/${folder}`)
    writeFileSync(
      join(directory, 'control-runs.mjs'),
      `${names.map((name, index) => `import * as p${index} from '${name}'`).join('\n')}\n` +
        `if (${names.map((_name, index) => `Object.keys(p${index}).length === 0`).join(' || ')}) process.exit(3)\n`,
    )
    writeFileSync(join(directory, 'control-throws.mjs'), "throw new Error('expected')\n")
    const run = (file: string) =>
      spawnSync(process.execPath, [join(directory, file)], { encoding: 'utf8', timeout: 15_000 })
    const passing = run('control-runs.mjs')
    expect(passing.stderr).toBe('')
    expect(passing.status).toBe(0)
    expect(run('control-throws.mjs').status).not.toBe(0)
  }, 20_000)

  it.each(jsBlocks.map((block) => [where(block), block] as const))(
    '%s runs',
    (_where, block) => {
      const result = spawnSync(process.execPath, [fileOf(block)], {
        cwd: join(packagesDirectory, block.folder, folderName),
        encoding: 'utf8',
        timeout: 15_000,
      })
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
    },
    20_000,
  )

  it('the extractor skips other languages and <!-- no-check --> blocks', () => {
    const text = [
      '```ts',
      'const a = 1',
      '```',
      '```text',
      'shape',
      '```',
      '<!-- no-check -->',
      '',
      '```ts',
      'broken(',
      '```',
      '```js',
      'console.log(1)',
      '```',
    ].join('\n')
    const found = extractBlocks(text, 'README.md', 'x')
    expect(found.map((block) => [block.language, block.line, block.code])).toEqual([
      ['ts', 2, 'const a = 1'],
      ['js', 13, 'console.log(1)'],
    ])
  })
})
