import * as option from '@loopwork/internal/options'
import type { TtlCache } from '@loopwork/ttl-cache'
import {
  type CachedResponse,
  DEFAULT_MAX_BODY_BYTES,
  type ResponseCacheOptions,
} from '../../types.js'
import { methodsOption } from '../option-checks.js'

const cacheOption = methodsOption<TtlCache<string, CachedResponse>>([
  'get',
  'getOrLoadWithStatus',
  'set',
])

const SCHEMA = { cache: cacheOption, maxBodyBytes: option.integer({ min: 0 }) }

/** The checked options of a response cache, with their defaults. */
export interface ResponseCacheSettings {
  readonly cache: TtlCache<string, CachedResponse>
  readonly maxBodyBytes: number
}

/** Checks the options of a response cache and fills in the defaults. */
export function responseCacheSettings(options: ResponseCacheOptions): ResponseCacheSettings {
  option.check('responseCache() options', options, SCHEMA)
  return {
    cache: cacheOption('cache', options?.cache),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  }
}
