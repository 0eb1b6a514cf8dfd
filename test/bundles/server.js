// A small server that offloads work to threads, bundled by bundles.test.ts with esbuild, tsup and
// Vite (SSR) into ESM and CommonJS, then run from the bundle alone. The task module is a file of
// its own (a second entry of each build), found next to the bundle at run time.
import { createServer } from 'node:http'
import { toThread, WorkerPool } from '@loopwork/thread-offload'

const tasks = new URL('./tasks.js', import.meta.url)
const pool = new WorkerPool({ module: tasks, name: 'bundled', maxThreads: 2 })
// A task module the build did not emit: its calls must say so.
const forgotten = new WorkerPool({ module: new URL('./forgotten-tasks.js', import.meta.url) })

/** What a failed call reports to the test. */
function failure(error) {
  return { name: error.name, code: error.code, message: error.message }
}

const routes = {
  '/fib': (query) => pool.run('fib', [Number(query.get('n'))]),
  '/slug': (query) => toThread(tasks, 'slug', [query.get('text')]),
  '/thread': () => pool.run('whereAmI', []),
  '/forgotten': () => forgotten.run('fib', [1]).then(() => 'ran', failure),
  '/close': async () => {
    await Promise.all([pool.close(), forgotten.close()])
    server.close()
    return 'closed'
  },
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1')
  const route = routes[url.pathname]
  try {
    if (route === undefined) throw new Error(`no route ${url.pathname}`)
    const value = await route(url.searchParams)
    response.writeHead(200, { 'content-type': 'application/json', connection: 'close' })
    response.end(JSON.stringify({ value }))
  } catch (error) {
    response.writeHead(500, { connection: 'close' })
    response.end(String(error?.stack ?? error))
  }
})

server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }))
})
