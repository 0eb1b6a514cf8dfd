import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'test'],
    coverage: {
      provider: 'v8',
      // Tests import the TypeScript sources (the @loopwork/source condition), so coverage maps to src/;
      // the glob is resolved against each project's own folder.
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
})
