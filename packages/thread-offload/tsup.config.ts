import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    // The thread entry is built next to index.js, where WorkerPool looks for it.
    entry: ['src/index.ts', 'src/worker-entry.ts'],
    dts: { entry: 'src/index.ts' },
  }),
)
