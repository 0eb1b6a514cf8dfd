import type { KindSpec } from './kind-spec.js'

/** An overload guard from `createOverloadGuard()`. */
export const guardKind: KindSpec = {
  kind: 'guard',
  families: [
    {
      name: 'overload_active',
      help: '1 while the guard judges the process overloaded.',
      type: 'gauge',
      field: 'overloaded',
    },
    {
      name: 'overload_shed_total',
      help: 'Checks answered "overloaded" (requests an adapter shed with 503).',
      type: 'counter',
      field: 'shed',
    },
  ],
}
