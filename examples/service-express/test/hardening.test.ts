import { hardeningSuite } from '@loopwork-example/catalog/testing/hardening-suite'
import { orderBodyLimitBytes, serveWithExpress } from '../src/express-app.js'

hardeningSuite({ framework: 'Express', orderBodyLimitBytes, serve: serveWithExpress })
