// The catalog service on Fastify. Run: pnpm --filter @loopwork-example/service-fastify start
// Listens on PORT (default 3000) and HOST (default 127.0.0.1); SIGTERM shuts it down gracefully.
import { runCatalogService } from '@loopwork-example/catalog'
import { serveWithFastify } from './fastify-app.js'

await runCatalogService('fastify', serveWithFastify, new URL('..', import.meta.url))
