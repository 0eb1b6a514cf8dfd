import type { Options } from 'tsup'

/**
 * The tsup settings every published package shares: ESM for Node 22, no source maps, and the shared
 * internals bundled in (code and declarations), so a user installs nothing but the package itself.
 * `dts` may be `false` for a config that only builds JavaScript, or an object adding an `entry`.
 */
export function packageBuild(options: Options): Options {
  const dts = options.dts
  return {
    format: ['esm'],
    // No source maps in the tarball. A map must carry the sources it points to (src/ is not
    // published), and maps with their sources inlined were about half of each unpacked package.
    // They buy little here: the output is unminified ESM that keeps the sources' names and shape, so
    // a stack trace into dist/ reads like the TypeScript it came from.
    sourcemap: false,
    clean: true,
    target: 'node22',
    platform: 'node',
    ...options,
    noExternal: ['@loopwork/internal', ...(options.noExternal ?? [])],
    dts:
      dts === false
        ? false
        : {
            ...(typeof dts === 'object' ? dts : {}),
            // The internals' own relative imports end in .ts; resolving them inlines their types.
            resolve: [/^@loopwork\/internal/, /^\.\/.*\.ts$/],
          },
  }
}
