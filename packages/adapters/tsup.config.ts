import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    // One entry per subpath; code shared by the adapters goes into chunks that import no framework.
    entry: {
      index: 'src/index.ts',
      'express/index': 'src/express/index.ts',
      'fastify/index': 'src/fastify/index.ts',
      'hono/index': 'src/hono/index.ts',
    },
    splitting: true,
  }),
)
