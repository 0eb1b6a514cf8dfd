import { availableParallelism } from 'node:os'
import { basename } from 'node:path'
import type { ResourceLimits, TransferListItem } from 'node:worker_threads'
import {
  anyOption,
  checkOptions,
  durationOption,
  integerOption,
  invalidOption,
  nameOption,
  type OptionCheck,
  type OptionSchema,
  objectOption,
  waitOptionsSchema,
} from '@loopwork/internal'
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
export const maxWaitingOption = integerOption({ min: 0, infinity: true })

const limiterOption: OptionCheck<ThreadLimiter> = (option, value) => {
  const limiter = value as Partial<ThreadLimiter> | null
  if (
    typeof limiter === 'object' &&
    limiter !== null &&
    typeof limiter.tryAcquire === 'function' &&
    typeof limiter.acquire === 'function'
  ) {
    return value as ThreadLimiter
  }
  throw invalidOption(
    option,
    value,
    'a CapacityLimiter (an object with tryAcquire() and acquire() methods)',
  )
}

const execArgvOption: OptionCheck<readonly string[]> = (option, value) => {
  if (Array.isArray(value) && value.every((flag) => typeof flag === 'string')) return value
  throw invalidOption(option, value, 'an array of strings')
}

const transferOption: OptionCheck<readonly TransferListItem[]> = (option, value) => {
  if (Array.isArray(value)) return value
  throw invalidOption(option, value, 'an array of transferable objects')
}

const poolSchema: OptionSchema = {
  // Checked by resolveTaskModule, which says how to write it.
  module: anyOption,
  name: nameOption,
  minThreads: integerOption({ min: 0 }),
  maxThreads: integerOption({ min: 1 }),
  idleTimeoutMs: durationOption({ infinity: true }),
  maxWaiting: maxWaitingOption,
  resourceLimits: objectOption,
  limiter: limiterOption,
  execArgv: execArgvOption,
}

const runSchema: OptionSchema = { ...waitOptionsSchema, transfer: transferOption }

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
    throw invalidOption('WorkerPool options', options, 'an options object with a module')
  }
  checkOptions('WorkerPool options', options, poolSchema)
  const module = resolveTaskModule(options.module)
  const maxThreads = options.maxThreads ?? availableParallelism()
  const minThreads = options.minThreads ?? 0
  if (minThreads > maxThreads) {
    throw invalidOption('minThreads', minThreads, `at most maxThreads (${maxThreads})`, true)
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
  checkOptions('run() options', options, runSchema)
  return options
}
