import { expressFramework } from './frameworks/express.js'
import { fastifyFramework } from './frameworks/fastify.js'
import { honoFramework } from './frameworks/hono.js'
import type { Framework } from './test-app.js'

/** Every conformance test runs once per framework, against a real server on 127.0.0.1. */
export const frameworks: readonly Framework[] = [expressFramework, fastifyFramework, honoFramework]
