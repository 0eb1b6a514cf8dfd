import { defineConfig } from 'tsup'

export default defineConfig({
  // The thread entry is built next to index.js, where WorkerPool looks for it.
  entry: ['src/index.ts', 'src/worker-entry.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
})
