import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(
  packageBuild({
    // workerd.ts: what Cloudflare Workers import instead (the `workerd` export condition).
    entry: ['src/index.ts', 'src/workerd.ts'],
    dts: { entry: ['src/index.ts'] },
  }),
)
