/**
 * What `@loopwork/metrics` resolves to on Cloudflare Workers (the `workerd` export condition, which
 * wrangler and esbuild with `conditions: ['workerd']` follow). The package reads Node's event-loop
 * and process measures (`monitorEventLoopDelay`, `eventLoopUtilization`, `process.memoryUsage`)
 * and renders through prom-client, none of which workerd provides; importing it there throws an
 * error that says so, instead of failing inside prom-client's CommonJS or at the first scrape.
 */
import { UnsupportedRuntimeError } from '@loopwork/internal'

throw new UnsupportedRuntimeError(
  '@loopwork/metrics does not run on Cloudflare Workers (workerd): it reads the event loop and the process through Node APIs that workerd does not implement (monitorEventLoopDelay, eventLoopUtilization, process.memoryUsage) and renders through prom-client; record request metrics with Workers Analytics Engine or a Tail Worker instead',
  'workerd',
  '@loopwork/metrics',
)
