// The catalog service on Hono. Run: pnpm --filter @loopwork-example/service-hono start
// Listens on PORT (default 3000) and HOST (default 127.0.0.1); SIGTERM shuts it down gracefully.
import { runCatalogService } from '@loopwork-example/catalog'
import { serveWithHono } from './hono-app.js'

await runCatalogService('hono', serveWithHono, new URL('..', import.meta.url))
