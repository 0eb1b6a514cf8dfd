import type { Serializer } from '../../redis/types.js'

/** The default serializer of the Redis tier: `JSON.stringify` / `JSON.parse`. */
export const jsonSerializer: Serializer<any> = Object.freeze({
  serialize: (value: unknown): string => JSON.stringify(value),
  deserialize: (text: string): unknown => JSON.parse(text),
})
