import { hardeningSuite } from '@loopwork-example/catalog/testing/hardening-suite'
import { orderBodyLimitBytes, serveWithFastify } from '../src/fastify-app.js'

// Fastify answers some refusals itself, and logs through its own logger rather than the console.
hardeningSuite({
  framework: 'Fastify',
  orderBodyLimitBytes,
  serve: (service, address, logStream) => serveWithFastify(service, address, { logStream }),
  tooLarge: { body: { message: 'Request body is too large' } },
  // Requests that arrive while Fastify closes itself get its own 503 body.
  shuttingDown: { body: { statusCode: 503 } },
  watchFailureReports: (logLines) => () =>
    logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request failed'),
  failureReport: (failure) => ({ level: 50, err: { message: failure.message } }),
})
