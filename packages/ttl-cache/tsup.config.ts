import { defineConfig } from 'tsup'

export default defineConfig({
  // Two entries: the core, and the Redis tier as the `./redis` subpath (ioredis stays optional).
  entry: { index: 'src/index.ts', redis: 'src/redis/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
})
