import type { KindSpec } from './kind-spec.js'

/** A `CapacityLimiter`: read from `statistics()` at scrape time, no listener on its hot events. */
export const limiterKind: KindSpec = {
  kind: 'limiter',
  families: [
    {
      name: 'limiter_tokens',
      help: 'Tokens in total: how many calls may run at once.',
      type: 'gauge',
      field: 'totalTokens',
    },
    {
      name: 'limiter_tokens_borrowed',
      help: 'Tokens borrowed right now: calls running.',
      type: 'gauge',
      field: 'borrowedTokens',
    },
    {
      name: 'limiter_waiting',
      help: 'Callers waiting for a token.',
      type: 'gauge',
      field: 'waiting',
    },
    {
      name: 'limiter_max_waiting',
      help: 'The bound on waiting callers; past it callers are shed.',
      type: 'gauge',
      field: 'maxWaiting',
    },
    {
      name: 'limiter_acquired_total',
      help: 'Tokens handed out.',
      type: 'counter',
      field: 'acquired',
    },
    {
      name: 'limiter_rejected_total',
      help: 'Callers that got no token, by reason: shed (queue_full), timed out, aborted.',
      type: 'counter',
      split: {
        label: 'reason',
        fields: { queue_full: 'rejected', timeout: 'timedOut', abort: 'aborted' },
      },
    },
  ],
}
