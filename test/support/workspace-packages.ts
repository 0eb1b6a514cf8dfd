import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

/** The repository's root folder. */
export const root = join(import.meta.dirname, '..', '..')

/** The folder of the workspace packages (`packages/<folder>`). */
export const packagesDirectory = join(root, 'packages')

/** What the repository checks read of a package's package.json. */
export interface PackageManifest {
  name: string
  version: string
  private?: boolean
  exports: Record<string, unknown>
  publishConfig?: { access?: string; exports?: Record<string, unknown> }
  repository?: { type: string; url: string; directory: string }
  homepage?: string
  bugs?: { url: string }
  files?: string[]
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

/** A package that is published to the registry: its folder under `packages/` and its manifest. */
export interface PublishedPackage {
  folder: string
  manifest: PackageManifest
}

/** Every package of `packages/` that is published (not private), in folder order. */
export const publishedPackages: readonly PublishedPackage[] = readdirSync(packagesDirectory)
  .filter((folder) => existsSync(join(packagesDirectory, folder, 'package.json')))
  .map((folder) => ({
    folder,
    manifest: JSON.parse(
      readFileSync(join(packagesDirectory, folder, 'package.json'), 'utf8'),
    ) as PackageManifest,
  }))
  .filter(({ manifest }) => manifest.private !== true)

/**
 * Throws unless every file (a path inside the package's folder, such as `dist/index.js`) exists:
 * the checks that use the built packages say what to do rather than fail on a missing module.
 */
export function assertBuilt(folder: string, files: Iterable<string>): void {
  for (const file of files) {
    if (!existsSync(join(packagesDirectory, folder, file))) {
      throw new Error(
        `packages/${folder}/${file} is missing: build the packages first (pnpm build)`,
      )
    }
  }
}

/**
 * Links the packages' folders into `directory/node_modules/@loopwork/`, as a workspace or an
 * install links them, so that code in `directory` imports them by name.
 */
export function linkPackages(directory: string, folders: Iterable<string>): void {
  const scope = join(directory, 'node_modules', '@loopwork')
  mkdirSync(scope, { recursive: true })
  for (const folder of folders) {
    symlinkSync(join(packagesDirectory, folder), join(scope, folder), 'dir')
  }
}
