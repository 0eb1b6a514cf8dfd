import { defineConfig } from 'tsup'

export default defineConfig({
  // Two entries; code they share (errors, validation) is split into a common chunk, so an error
  // class is the same class whichever entry threw it.
  entry: { index: 'src/index.ts', bullmq: 'src/bullmq/index.ts' },
  format: ['esm'],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
})
