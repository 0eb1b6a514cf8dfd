import { defineProject } from 'vitest/config'

/**
 * Resolves `@loopwork/*` imports to their TypeScript sources (the `@loopwork/source` export
 * condition), so tests run without a build and coverage maps to `src/`.
 */
const sourceConditions = ['@loopwork/source', 'module', 'node', 'development|production']

export const sharedProject = defineProject({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
