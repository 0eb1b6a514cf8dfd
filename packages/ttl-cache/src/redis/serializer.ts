/**
 * Turns values into the strings stored in Redis and back. Plug in your own for values JSON cannot
 * carry (Dates, Maps, BigInts) or for a compact format such as MessagePack-in-base64.
 */
export interface Serializer<V> {
  /** Must return a string; throwing (or returning something else) keeps the value in memory only. */
  serialize(value: V): string
  /** Must invert `serialize`; throwing makes the stored value count as a miss. */
  deserialize(text: string): V
}

/** The default serializer: `JSON.stringify` / `JSON.parse`. */
export const jsonSerializer: Serializer<any> = Object.freeze({
  serialize: (value: unknown): string => JSON.stringify(value),
  deserialize: (text: string): unknown => JSON.parse(text),
})
