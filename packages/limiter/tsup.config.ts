import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    entry: ['src/index.ts'],
  }),
)
