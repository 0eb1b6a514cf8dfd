#!/usr/bin/env node
// Scaffolds packages/<name> with the shared setup: package.json (exports map with the
// @loopwork/source condition first), tsup, tsconfig, vitest project, README, src/, test/, bench/.
// Usage: pnpm new-package <name> "<one-line description>"
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const [name, description = `@loopwork/${process.argv[2]}`] = process.argv.slice(2)
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  process.stderr.write('usage: pnpm new-package <kebab-case-name> "<description>"\n')
  process.exit(2)
}
const directory = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', name)
if (existsSync(directory)) {
  process.stderr.write(`packages/${name} exists already\n`)
  process.exit(1)
}

const files = {
  'package.json': `${JSON.stringify(
    {
      name: `@loopwork/${name}`,
      version: '0.0.0',
      description,
      keywords: ['concurrency', 'node', 'server'],
      license: 'MIT',
      type: 'module',
      sideEffects: false,
      exports: {
        '.': {
          '@loopwork/source': './src/index.ts',
          types: './dist/index.d.ts',
          default: './dist/index.js',
        },
        './package.json': './package.json',
      },
      files: ['dist'],
      engines: { node: '>=22.12' },
      publishConfig: { access: 'public' },
      devDependencies: { '@loopwork/internal': 'workspace:*' },
      scripts: {
        build: 'tsup',
        typecheck: 'tsc --noEmit',
        lint: 'publint --strict && attw --pack . --profile esm-only',
        test: 'vitest run',
        bench: `node --expose-gc --import tsx bench/${name}.bench.ts`,
      },
    },
    null,
    2,
  )}\n`,
  'tsup.config.ts': `import { packageBuild } from '@loopwork/internal/tsup-package'
import { defineConfig } from 'tsup'

export default defineConfig(packageBuild({ entry: ['src/index.ts'] }))
`,
  'tsconfig.json': `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src", "test", "bench", "*.config.ts"]
}
`,
  'vitest.config.ts': `import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared.js'

export default mergeConfig(sharedProject, defineProject({ test: { name: '${name}' } }))
`,
  'README.md': `# @loopwork/${name}\n\n${description}\n\n\`\`\`sh\nnpm install @loopwork/${name}\n\`\`\`\n`,
  'src/index.ts': `export {}\n`,
  // The shared error classes (docs/conventions.md); package-specific ones extend LoopworkError here.
  'src/errors.ts': `export { AbortError, isLoopworkError, LoopworkError, TimeoutError } from '@loopwork/internal'\n`,
  'src/internal/.gitkeep': '',
  'test/.gitkeep': '',
  'bench/.gitkeep': '',
}
for (const [file, content] of Object.entries(files)) {
  mkdirSync(dirname(join(directory, file)), { recursive: true })
  writeFileSync(join(directory, file), content)
}
process.stdout.write(
  `created packages/${name}; run pnpm install, then write src/, test/ and bench/\n`,
)
