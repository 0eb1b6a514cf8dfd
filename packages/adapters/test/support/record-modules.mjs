// Preloaded into a child process: records the URL of every module it resolves and prints them as
// JSON when the process exits, so a test can tell which packages an import loaded.
import { registerHooks } from 'node:module'

const resolved = new Set()
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context)
    resolved.add(result.url)
    return result
  },
})
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify([...resolved])}\n`)
})
