import { createHash } from 'node:crypto'

/**
 * What a Lua script needs from a Redis client: `evalsha` and `eval` in ioredis' argument order.
 * An ioredis `Redis` or `Cluster` fits; the internals stay free of an ioredis dependency.
 */
export interface ScriptClient {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>
}

/**
 * A Lua script sent by its SHA1 (EVALSHA), and in full only when Redis does not know it yet (after
 * a restart, a failover or SCRIPT FLUSH). A script makes each check-and-write atomic without
 * WATCH/MULTI retries; sending the hash keeps each call small.
 */
export class RedisScript {
  /** The script's source. */
  readonly source: string
  /** The SHA1 Redis knows the script by. */
  readonly sha: string

  constructor(source: string) {
    this.source = source
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  /** Runs the script on `client`; the NOSCRIPT fallback sends the source once and runs it. */
  run(
    client: ScriptClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return client
      .evalsha(this.sha, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        isNoScript(error)
          ? client.eval(this.source, keys.length, ...keys, ...args)
          : Promise.reject(error),
      )
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
