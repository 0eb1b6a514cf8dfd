import type { ChaosRow } from '../chaos-table.js'
import type { AttackContext } from './attack-context.js'

/**
 * Attack 7a: a task that kills its worker thread. The catalog services expose none: their pool
 * runs two tasks (`itemsByIds`, `search`), both plain queries a client cannot make end their
 * thread, and a thread cannot be killed from outside the process. The row says so rather than
 * passing.
 */
export function workerCrash({ service }: AttackContext): ChaosRow {
  return {
    framework: service.framework,
    attack: '7a. worker thread crash',
    expected: 'a task that ends its thread fails alone; the pool replaces the thread',
    observed:
      'skipped: no route runs a task that can end its worker thread (the pool runs only the itemsByIds and search queries)',
    statuses: '',
    outcome: 'skip',
  }
}
