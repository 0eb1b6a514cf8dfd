// Preloaded into a child process: records the URL of every module it resolves and prints them as
// JSON when the process exits, so a test can tell which packages an import loaded.
import * as module from 'node:module'
import { MessageChannel } from 'node:worker_threads'

const resolved = new Set()
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify([...resolved])}\n`)
})

if (typeof module.registerHooks === 'function') {
  // Synchronous hooks in this thread (Node 22.15 and later).
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const result = nextResolve(specifier, context)
      resolved.add(result.url)
      return result
    },
  })
} else {
  // Older Node: asynchronous hooks run in a thread of their own and report each URL over a port.
  const { port1, port2 } = new MessageChannel()
  port1.on('message', (url) => resolved.add(url))
  port1.unref()
  const hooks = `
    let port
    export function initialize(data) { port = data.port }
    export async function resolve(specifier, context, nextResolve) {
      const result = await nextResolve(specifier, context)
      port.postMessage(result.url)
      return result
    }`
  module.register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
    data: { port: port2 },
    transferList: [port2],
  })
}
