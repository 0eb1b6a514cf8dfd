import { ClosedError } from '@loopwork/background-tasks'
import { QueueFullError } from '@loopwork/batcher'
import { expect, it } from 'vitest'
import { httpErrorOf, UnknownItemError } from '../src/index.js'

it("answers the catalog's own errors with their status and code", () => {
  expect(httpErrorOf(new UnknownItemError(9))).toEqual({
    status: 404,
    body: {
      error: 'UnknownItemError',
      code: 'CATALOG_UNKNOWN_ITEM',
      message: 'item 9 does not exist',
    },
  })
})

it('answers a full loopwork queue with 503, whichever copy of a package threw it', () => {
  const full = new QueueFullError(
    'Batcher "items" already has 10000 keys waiting',
    'maxWaiting',
    10_000,
  )
  expect(httpErrorOf(full)).toMatchObject({
    status: 503,
    headers: { 'retry-after': '1' },
    body: { code: 'LOOPWORK_QUEUE_FULL' },
  })

  // What a second installed copy of a package throws: branded and coded, but of another class.
  const fromAnotherCopy = Object.assign(new Error('queue full'), { code: 'LOOPWORK_QUEUE_FULL' })
  Object.defineProperty(fromAnotherCopy, Symbol.for('loopwork.error'), { value: true })
  expect(httpErrorOf(fromAnotherCopy).status).toBe(503)
})

it('answers a closing loopwork primitive with 503 and Retry-After: an order placed during a shutdown is refused, not lost', () => {
  expect(httpErrorOf(new ClosedError('Task queue "order-follow-ups" is closed'))).toEqual({
    status: 503,
    headers: { 'retry-after': '1' },
    body: {
      error: 'ServiceUnavailable',
      code: 'LOOPWORK_CLOSED',
      message: 'shutting down, retry later',
    },
  })
})

it('says nothing about an unexpected error', () => {
  expect(httpErrorOf(new Error('secret detail'))).toEqual({
    status: 500,
    body: { error: 'InternalServerError', code: 'INTERNAL', message: 'internal server error' },
  })
})

it("names a framework's client error after its status", () => {
  const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 })
  const malformed = Object.assign(new Error('Unexpected token'), { statusCode: 400 })
  expect(httpErrorOf(tooLarge)).toEqual({
    status: 413,
    body: { error: 'PayloadTooLarge', code: 'CLIENT_ERROR', message: 'Request body is too large' },
  })
  expect(httpErrorOf(malformed).body.error).toBe('BadRequest')
})
