import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    // Two entries: the in-process limiter, and the Redis-backed one as the `./redis` subpath
    // (ioredis stays an optional peer dependency).
    entry: { index: 'src/index.ts', redis: 'src/redis/index.ts' },
  }),
)
