import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    // Two entries: the core, and the Redis tier as the `./redis` subpath (ioredis stays optional).
    entry: { index: 'src/index.ts', redis: 'src/redis/index.ts' },
  }),
)
