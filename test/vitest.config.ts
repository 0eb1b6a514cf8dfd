import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../vitest.shared.js'

/** Checks of the repository as a whole: workflows, cross-package contracts, published packages. */
export default mergeConfig(
  sharedProject,
  defineProject({ test: { name: 'repository', include: ['**/*.test.ts'] } }),
)
