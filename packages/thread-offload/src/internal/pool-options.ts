import { availableParallelism } from 'node:os'
import { basename } from 'node:path'
import type { ResourceLimits, TransferListItem } from 'node:worker_threads'
import * as option from '@loopwork/internal/options'
import { currentDefaultThreadLimiter } from '../default-limiter.js'
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_WAITING,
  type RunOptions,
  type ThreadLimiter,
  type WorkerPoolOptions,
} from '../types.js'
import { resolveTaskModule } from './module-location.js'

/** `maxWaiting`, here and for the pool's setter. */
export const maxWaitingOption = option.integer({ min: 0, infinity: true })

const limiterOption: option.Check<ThreadLimiter> = (name, value) => {
  const limiter = value as Partial<ThreadLimiter> | null
  if (
    typeof limiter === 'object' &&
    limiter !== null &&
    typeof limiter.tryAcquire === 'function' &&
    typeof limiter.acquire === 'function'
  ) {
    return value as ThreadLimiter
  }
  throw option.invalid(
    name,
    value,
    'a CapacityLimiter (an object with tryAcquire() and acquire() methods)',
  )
}

const execArgvOption: option.Check<readonly string[]> = (name, value) => {
  if (Array.isArray(value) && value.every((flag) => typeof flag === 'string')) return value
  throw option.invalid(name, value, 'an array of strings')
}

const transferOption: option.Check<readonly TransferListItem[]> = (name, value) => {
  if (Array.isArray(value)) return value
  throw option.invalid(name, value, 'an array of transferable objects')
}

const poolSchema: option.Schema = {
  // Checked by resolveTaskModule, which says how to write it.
  module: option.any,
  name: option.name,
  minThreads: option.integer({ min: 0 }),
  maxThreads: option.integer({ min: 1 }),
  idleTimeoutMs: option.duration({ infinity: true }),
  maxWaiting: maxWaitingOption,
  resourceLimits: option.object,
  limiter: limiterOption,
  execArgv: execArgvOption,
}

const runSchema: option.Schema = { ...option.waitSchema, transfer: transferOption }

/** The options of a pool after checking, with the defaults filled in. */
export interface ResolvedPoolOptions {
  readonly module: string
  readonly name: string
  readonly minThreads: number
  readonly maxThreads: number
  readonly idleTimeoutMs: number
  readonly maxWaiting: number
  readonly limiter: ThreadLimiter
  readonly resourceLimits: ResourceLimits | undefined
  readonly execArgv: readonly string[] | undefined
}

/**
 * Checks the options (an unknown key, a wrong type or a value out of range throws an error naming
 * the option and what is allowed) and fills in the defaults.
 */
export function resolveWorkerPoolOptions(options: WorkerPoolOptions): ResolvedPoolOptions {
  if (options === undefined) {
    throw option.invalid('WorkerPool options', options, 'an options object with a module')
  }
  option.check('WorkerPool options', options, poolSchema)
  const module = resolveTaskModule(options.module)
  const maxThreads = options.maxThreads ?? availableParallelism()
  const minThreads = options.minThreads ?? 0
  if (minThreads > maxThreads) {
    throw option.invalid('minThreads', minThreads, `at most maxThreads (${maxThreads})`, true)
  }
  return {
    module,
    name: options.name ?? basename(new URL(module).pathname).replace(/\.[^.]*$/, ''),
    minThreads,
    maxThreads,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxWaiting: options.maxWaiting ?? DEFAULT_MAX_WAITING,
    limiter: options.limiter ?? currentDefaultThreadLimiter(),
    resourceLimits: options.resourceLimits,
    execArgv: options.execArgv,
  }
}

/** Checks the options of one call, as the pool's options are checked. */
export function checkRunOptions(options: RunOptions): RunOptions {
  option.check('run() options', options, runSchema)
  return options
}
