import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const threadEntry = fileURLToPath(new URL('../src/internal/worker-entry.ts', import.meta.url))

/** The name stack traces give the thread entry's frames (Node honours its `sourceURL` comment). */
export const THREAD_ENTRY_NAME = 'loopwork-thread.js'

/**
 * The thread entry bundled into one ES module whose only imports are Node builtins (kept with their
 * `node:` prefix, so every runtime and bundler sees them as builtins). It must not read
 * `import.meta`: evaluated, or imported from a `data:` URL, it has no file of its own.
 */
export async function buildThreadEntryCode(): Promise<string> {
  const result = await build({
    entryPoints: [threadEntry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // The shared internals resolve to their sources, as everywhere in this repository.
    conditions: ['@loopwork/source'],
    // Only builtins may stay imports: a data: module cannot resolve a relative or package import.
    packages: 'bundle',
    legalComments: 'none',
    // The smaller the code, the sooner a thread starts: it parses it, and from a data: URL (Bun,
    // Deno) first decodes it byte by byte. Names are kept, so the thread's frames in a stack trace
    // still read like the sources.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.text
  const imports = [...code.matchAll(/\b(?:from|import)\s*["']([^"']+)["']/g)].map(
    (match) => match[1]!,
  )
  const outside = imports.filter((specifier) => !specifier.startsWith('node:'))
  if (outside.length > 0) {
    throw new Error(`The thread entry must import only node: builtins, found ${outside.join(', ')}`)
  }
  if (code.includes('import.meta')) {
    throw new Error('The thread entry must not use import.meta: it runs from a data: URL')
  }
  return `${code}//# sourceURL=${THREAD_ENTRY_NAME}\n`
}

/**
 * An esbuild (and tsup) plugin that replaces `src/internal/thread-entry-code.ts` with the thread
 * entry's code, so the package's `index.js` carries it and needs no file beside it (nor reads
 * `import.meta` to find one).
 */
export function embedThreadEntry(): Plugin {
  return {
    name: 'loopwork-embed-thread-entry',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]internal[\\/]thread-entry-code\.ts$/ }, async () => {
        const code = await buildThreadEntryCode()
        return {
          contents: [
            `export const THREAD_ENTRY_CODE = ${JSON.stringify(code)}`,
            'export const SOURCE_ENTRY = undefined',
            '',
          ].join('\n'),
          loader: 'js',
          watchFiles: [threadEntry],
        }
      })
    },
  }
}
