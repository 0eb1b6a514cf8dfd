// The catalog service on Express. Run: pnpm --filter @loopwork-example/service-express start
// Listens on PORT (default 3000) and HOST (default 127.0.0.1); SIGTERM shuts it down gracefully.
import { runCatalogService } from '@loopwork-example/catalog'
import { serveWithExpress } from './express-app.js'

await runCatalogService('express', serveWithExpress, new URL('..', import.meta.url))
