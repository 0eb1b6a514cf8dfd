import { describe, expect, it } from 'vitest'
import { RedisScript, type ScriptClient } from '../src/redis-script.js'

/** A client that knows the scripts it was sent in full, like Redis' script cache. */
function fakeRedis(failure?: Error) {
  const known = new Set<string>()
  const calls: string[] = []
  const client: ScriptClient = {
    async evalsha(sha, numKeys, ...rest) {
      calls.push(`evalsha ${numKeys} ${rest.join(' ')}`)
      if (failure !== undefined) throw failure
      if (!known.has(sha)) throw new Error('NOSCRIPT No matching script. Please use EVAL.')
      return 'ran'
    },
    async eval(source, numKeys, ...rest) {
      calls.push(`eval ${numKeys} ${rest.join(' ')}`)
      const { createHash } = await import('node:crypto')
      known.add(createHash('sha1').update(source).digest('hex'))
      return 'ran'
    },
  }
  return { client, calls }
}

describe('RedisScript', () => {
  it('sends the source once after NOSCRIPT, then only the hash', async () => {
    const script = new RedisScript('return 1')
    const { client, calls } = fakeRedis()
    expect(await script.run(client, ['k1', 'k2'], ['a', 1])).toBe('ran')
    expect(await script.run(client, ['k1', 'k2'], ['a', 1])).toBe('ran')
    expect(calls).toEqual(['evalsha 2 k1 k2 a 1', 'eval 2 k1 k2 a 1', 'evalsha 2 k1 k2 a 1'])
    expect(script.sha).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db')
  })

  it('passes any other error on without sending the source', async () => {
    const failure = new Error('Connection is closed.')
    const { client, calls } = fakeRedis(failure)
    await expect(new RedisScript('return 1').run(client, [], [])).rejects.toBe(failure)
    expect(calls).toEqual(['evalsha 0 '])
  })
})
