import type { KindSpec } from './kind-spec.js'

/** A `TtlCache`: counts from `stats()` at scrape time, no listener on the hit path. */
export const cacheKind: KindSpec = {
  kind: 'cache',
  families: [
    {
      name: 'cache_hits_total',
      help: 'Lookups answered with a fresh entry.',
      type: 'counter',
      field: 'hits',
    },
    {
      name: 'cache_misses_total',
      help: 'Lookups that found no usable entry.',
      type: 'counter',
      field: 'misses',
    },
    {
      name: 'cache_stale_hits_total',
      help: 'Lookups answered with a stale entry while it refreshed.',
      type: 'counter',
      field: 'staleHits',
    },
    {
      name: 'cache_loads_total',
      help: 'Loader calls (stampedes coalesced into one).',
      type: 'counter',
      field: 'loads',
    },
    {
      name: 'cache_load_errors_total',
      help: 'Loader calls that failed.',
      type: 'counter',
      field: 'loadErrors',
    },
    {
      name: 'cache_evictions_total',
      help: 'Entries evicted.',
      type: 'counter',
      field: 'evictions',
    },
    { name: 'cache_entries', help: 'Entries held.', type: 'gauge', field: 'size' },
  ],
}
