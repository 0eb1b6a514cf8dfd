import { describe, expect, it } from 'vitest'
import { INVALID_OPTION_CODE } from '../src/index.js'
import * as option from '../src/options.js'

describe('option.error', () => {
  it('is a TypeError with the shared code, the option and the message as given', () => {
    const error = option.error('redis', 'the redis client has a keyPrefix; pass keyPrefix instead')
    expect(error).toBeInstanceOf(TypeError)
    expect(error).not.toBeInstanceOf(RangeError)
    expect(error).toMatchObject({
      code: INVALID_OPTION_CODE,
      option: 'redis',
      message: 'the redis client has a keyPrefix; pass keyPrefix instead',
    })
  })

  it('is a RangeError when the value is out of range', () => {
    const error = option.error('maxSize', 'maxSize must be at least max', true)
    expect(error).toBeInstanceOf(RangeError)
    expect(error).toMatchObject({ code: INVALID_OPTION_CODE, option: 'maxSize' })
  })
})
