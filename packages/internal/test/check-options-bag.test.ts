import { describe, expect, it } from 'vitest'
import * as option from '../src/options.js'

describe('option.check on a bag that is not an object', () => {
  it('throws a TypeError for a number, as for any other non-object', () => {
    const call = () =>
      option.check('Batcher options', 40 as unknown as object, { n: option.integer({ min: 1 }) })
    expect(call).toThrow(TypeError)
    expect(call).toThrow('Batcher options must be an options object, got 40')
    expect(call).toThrow(
      expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION', option: 'Batcher options' }),
    )
  })
})
