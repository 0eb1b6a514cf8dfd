import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'

interface Closable {
  close(options?: { timeoutMs?: number }): unknown
}

/**
 * Gives each test database files in a fresh temporary folder, and after each test closes what the
 * test registered (queues, connections) and removes the folder, whatever the test's outcome.
 */
export function sqliteFilesPerTest(): {
  /** A path in this test's folder (the file itself is created by whoever opens it). */
  file(name?: string): string
  track<T extends Closable>(closable: T): T
} {
  let folder: string | undefined
  const closables: Closable[] = []
  afterEach(async () => {
    for (const closable of closables.splice(0).reverse()) {
      try {
        await closable.close({ timeoutMs: 1_000 })
      } catch {
        // Already closed by the test.
      }
    }
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true })
    folder = undefined
  })
  return {
    file(name = 'jobs.sqlite') {
      folder ??= mkdtempSync(join(tmpdir(), 'loopwork-sqlite-'))
      return join(folder, name)
    },
    track(closable) {
      closables.push(closable)
      return closable
    },
  }
}
