import { BATCH_SIZE_BUCKETS, DEFAULT_REQUEST_BUCKETS } from './default-buckets.js'
import { subscribe } from './event-subscription.js'
import type { KindSpec } from './kind-spec.js'

/** A `Batcher`: counts from `stats()` at scrape time, batch sizes and durations from `batch` events. */
export const batcherKind: KindSpec = {
  kind: 'batcher',
  families: [
    {
      name: 'batcher_batches_total',
      help: 'Batches dispatched.',
      type: 'counter',
      field: 'batches',
    },
    {
      name: 'batcher_keys_total',
      help: 'Keys loaded through batches.',
      type: 'counter',
      field: 'keys',
    },
    {
      name: 'batcher_pending_keys',
      help: 'Keys waiting for the next batch.',
      type: 'gauge',
      field: 'pending',
    },
    {
      name: 'batcher_batches_in_flight',
      help: 'Batches running.',
      type: 'gauge',
      field: 'inFlightBatches',
    },
    // Read when the batcher reports them (@loopwork/batcher does); skipped otherwise.
    {
      name: 'batcher_failed_batches_total',
      help: 'Batches whose batch function failed as a whole.',
      type: 'counter',
      field: 'failedBatches',
    },
    {
      name: 'batcher_rejected_loads_total',
      help: 'Loads shed because too many keys were pending.',
      type: 'counter',
      field: 'rejectedLoads',
    },
  ],
  histograms: [
    { name: 'batcher_batch_size', help: 'Keys per batch.', buckets: BATCH_SIZE_BUCKETS },
    {
      name: 'batcher_batch_duration_seconds',
      help: 'Time a batch function took.',
      buckets: DEFAULT_REQUEST_BUCKETS,
    },
  ],
  listen(source, sink) {
    const size = sink.histogram('batcher_batch_size')
    const duration = sink.histogram('batcher_batch_duration_seconds')
    return subscribe(source, {
      batch: (event?: { size?: unknown; durationMs?: unknown }) => {
        size(event?.size)
        duration(typeof event?.durationMs === 'number' ? event.durationMs / 1000 : undefined)
      },
    })
  },
}
