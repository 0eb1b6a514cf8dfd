import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'
import { embedThreadEntry } from './build/embed-thread-entry.js'

export default defineConfig(
  packageBuild({
    // One file: the thread entry travels inside index.js as a string (see
    // src/internal/thread-entry-code.ts), so bundling an application changes nothing for its threads.
    entry: ['src/index.ts'],
    dts: { entry: 'src/index.ts' },
    esbuildPlugins: [embedThreadEntry()],
    // Builtins keep their node: prefix, so bundlers for other platforms and Deno see them as builtins.
    removeNodeProtocol: false,
  }),
)
