import { hardeningSuite } from '@loopwork-example/catalog/testing/hardening-suite'
import { orderBodyLimitBytes, serveWithHono } from '../src/hono-app.js'

hardeningSuite({ framework: 'Hono', orderBodyLimitBytes, serve: serveWithHono })
