import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    // Three entries; code they share (errors, validation) is split into a common chunk, so an error
    // class is the same class whichever entry threw it.
    entry: { index: 'src/index.ts', bullmq: 'src/bullmq/index.ts', sqlite: 'src/sqlite/index.ts' },
    splitting: true,
  }),
)
