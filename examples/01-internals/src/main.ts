// A printed walk-through of loopwork's model: the capacity limiter, the thread limiter that governs
// offloaded calls, and what the worker-thread pool does for the event loop.
// Run: pnpm --filter @loopwork-example/01-internals start
import { walkThroughEventLoop } from './event-loop-walkthrough.js'
import { walkThroughLimiter } from './limiter-walkthrough.js'
import { say } from './narration.js'
import { walkThroughThreadLimiter } from './thread-limiter-walkthrough.js'

await walkThroughLimiter()
await walkThroughThreadLimiter()
await walkThroughEventLoop()
say()
say('To watch these primitives live (limiters, pool, queue, batcher, cache, event loop), start a')
say('catalog service (pnpm --filter @loopwork-example/service-express start) and open its status')
say('page: http://127.0.0.1:3000/status/')
say()
say('Done.')
