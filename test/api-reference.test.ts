import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import {
  Application,
  type DeclarationReflection,
  Logger,
  LogLevel,
  type MinimalSourceFile,
  PackageJsonReader,
  type PageEvent,
  type ProjectReflection,
  ReflectionKind,
  Renderer,
  type RouterTarget,
  TSConfigReader,
  TypeDocReader,
} from 'typedoc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The API reference (`pnpm run docs`, configured by typedoc.json) is built here into a temporary folder
// with the same options. It must build without a single warning: every exported symbol of every
// published package has a doc comment, every {@link} resolves, no exported signature refers to a
// type the package does not export, and every relative link of a README points at a file.
// Type errors are the typecheck's job (typedoc.json sets skipErrorChecking).
const root = join(import.meta.dirname, '..')
/** Where the docs workflow publishes the reference. */
const hostedReference = 'https://loopwork-dev.github.io/loopwork/'
const packagesDirectory = join(root, 'packages')

/** Each published package with the import specifiers of its TypeScript entry points. */
const published = readdirSync(packagesDirectory)
  .filter((folder) => existsSync(join(packagesDirectory, folder, 'package.json')))
  .map((folder) => {
    const manifest = JSON.parse(
      readFileSync(join(packagesDirectory, folder, 'package.json'), 'utf8'),
    )
    const specifiers = Object.entries(manifest.exports ?? {})
      .filter(([, target]) => typeof target === 'object' && target !== null && 'types' in target)
      .map(([subpath]) =>
        subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      )
    return { folder, name: manifest.name as string, private: manifest.private === true, specifiers }
  })
  .filter((entry) => !entry.private)

/** Keeps what TypeDoc reports at warning level and above, with the file and line when it has one. */
class RecordingLogger extends Logger {
  readonly messages: string[] = []

  override addContext(
    message: string,
    _level: LogLevel,
    ...args: [number, MinimalSourceFile] | []
  ): string {
    if (args.length === 0) return message
    const [position, file] = args
    const { line } = file.getLineAndCharacterOfPosition(position)
    return `${relative(root, file.fileName)}:${line + 1} ${message}`
  }

  override log(message: string, level: LogLevel): void {
    super.log(message, level)
    if (level >= LogLevel.Warn) this.messages.push(`[${LogLevel[level]}] ${message}`)
  }
}

let outputDirectory: string
let application: Application
let project: ProjectReflection | undefined
const logger = new RecordingLogger()
/** The page each rendered reflection got, relative to the output folder. */
const pages = new Map<RouterTarget, string>()

beforeAll(async () => {
  outputDirectory = mkdtempSync(join(tmpdir(), 'loopwork-api-reference-'))
  application = await Application.bootstrapWithPlugins(
    { options: join(root, 'typedoc.json'), out: outputDirectory },
    [new TypeDocReader(), new PackageJsonReader(), new TSConfigReader()],
  )
  // Problems with the options themselves were reported to the logger bootstrap created.
  expect(application.logger.errorCount + application.logger.warningCount).toBe(0)
  application.logger = logger
  application.renderer.on(Renderer.EVENT_END_PAGE, (page: PageEvent) => {
    pages.set(page.model, page.url)
  })
  project = await application.convert()
  if (project !== undefined) {
    application.validate(project)
    await application.generateOutputs(project)
  }
}, 240_000)

afterAll(() => {
  if (outputDirectory !== undefined) rmSync(outputDirectory, { recursive: true, force: true })
})

/** The page of a reflection, relative to the output folder, once it is rendered. */
function pageOf(reflection: RouterTarget): string {
  return pages.get(reflection) ?? '(no page)'
}

/** The section of a package: the module of its name at the top of the reference. */
function sectionOf(packageName: string): DeclarationReflection | undefined {
  return project?.getChildByName([packageName]) as DeclarationReflection | undefined
}

/**
 * The module of an import specifier: the package's section when the package has one entry point,
 * else the section's module named like the import (`@loopwork/limiter/redis`).
 */
function moduleOf(specifier: string): DeclarationReflection | undefined {
  const entry = published.find(({ specifiers }) => specifiers.includes(specifier))
  const section = entry === undefined ? undefined : sectionOf(entry.name)
  if (section === undefined || entry!.specifiers.length === 1) return section
  return section.getChildByName([specifier]) as DeclarationReflection | undefined
}

describe('the API reference', () => {
  it('builds without a warning: every export documented, every link resolved', () => {
    expect(project).toBeDefined()
    expect(logger.messages).toEqual([])
  })

  it('requires a doc comment on every export of every published package and of the shared internals', () => {
    // TypeDoc checks only the packages named here; the shared errors come from @loopwork/internal.
    const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8'))
    expect(config.packageOptions.validation.notDocumented).toBe(true)
    expect([...config.packageOptions.packagesRequiringDocumentation].sort()).toEqual(
      [...published.map((entry) => entry.name), '@loopwork/internal'].sort(),
    )
  })

  it('has one section per published package, with a module per entry point named like its import', () => {
    const sections = (project?.children ?? []).map((child) => child.name).sort()
    expect(sections).toEqual(published.map((entry) => entry.name).sort())
    for (const entry of published) {
      const section = sectionOf(entry.name)!
      expect(existsSync(join(outputDirectory, pageOf(section))), entry.name).toBe(true)
      if (entry.specifiers.length > 1) {
        const modules = (section.children ?? [])
          .filter((child) => child.kindOf(ReflectionKind.Module))
          .map((child) => child.name)
          .sort()
        expect(modules, `modules of ${entry.name}`).toEqual([...entry.specifiers].sort())
      }
    }
  })

  it.each([
    ['@loopwork/limiter', 'CapacityLimiter'],
    ['@loopwork/limiter/redis', 'RedisCapacityLimiter'],
    ['@loopwork/thread-offload', 'WorkerPool'],
    ['@loopwork/background-tasks', 'TaskQueue'],
    ['@loopwork/background-tasks/bullmq', 'TaskQueue'],
    ['@loopwork/batcher', 'Batcher'],
    ['@loopwork/ttl-cache', 'TtlCache'],
    ['@loopwork/metrics', 'createMetrics'],
    ['@loopwork/adapters/express', 'concurrencyLimit'],
  ])('%s: %s has a page of its own', (specifier, symbol) => {
    const reflection = moduleOf(specifier)?.getChildByName([symbol]) as
      | DeclarationReflection
      | undefined
    expect(reflection, `${symbol} in ${specifier}`).toBeDefined()
    const page = pageOf(reflection!)
    expect(existsSync(join(outputDirectory, page)), page).toBe(true)
    expect(readFileSync(join(outputDirectory, page), 'utf8')).toContain(symbol)
  })

  it.each(published.map((entry) => [entry.name, entry.folder]))(
    '%s: the README ends with a link to its section of the hosted reference',
    (name, folder) => {
      const readme = readFileSync(join(packagesDirectory, folder!, 'README.md'), 'utf8')
      const start = readme.lastIndexOf('\n## API reference\n')
      expect(start, 'an "## API reference" section').toBeGreaterThan(0)
      const section = readme.slice(start)
      expect(section.indexOf('\n## ', 1), 'the last section').toBe(-1)
      const link = section.match(/https:\/\/loopwork-dev\.github\.io\/loopwork\/([^\s>)]*)/)
      expect(link?.[0].startsWith(hostedReference)).toBe(true)
      expect(link?.[1]).toBe(pageOf(sectionOf(name!)!))
    },
  )
})
