import { describe, expect, it, vi } from 'vitest'

// Bun and Deno load TypeScript themselves; the suite runs on Node, so the runtime is faked here.
// test/runtimes/ at the repository root runs a .ts task module on Bun and Deno themselves.
vi.mock('@loopwork/internal', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@loopwork/internal')>()),
  currentRuntime: 'deno',
}))

const { threadLoading } = await import('../src/internal/module-location.js')

describe('a TypeScript task module on a runtime that loads TypeScript itself', () => {
  it('loads without tsx: no loader and no flags are added to the thread', () => {
    const module = new URL('./fixtures/tasks.ts', import.meta.url).href
    const entry = 'file:///app/node_modules/@loopwork/thread-offload/dist/index.js'
    expect(threadLoading(module, entry, [])).toEqual({
      execArgv: [],
      derived: false,
      loader: undefined,
    })
  })
})
