/**
 * Where one shared limit lives in Redis. Every key starts with `<keyPrefix>{<name>}:`, so the `{name}`
 * hash tag puts them all in one Cluster slot and each script touches a single slot, the per-instance
 * hand-over lists included (their names are built inside the scripts from `grantsPrefix`).
 */
export class KeyLayout {
  /** The keys every script receives, in the order the scripts read them. */
  readonly keys: readonly [
    config: string,
    holders: string,
    queue: string,
    waiters: string,
    tokens: string,
  ]
  /** The start of each instance's hand-over list; the instance id completes it. */
  readonly grantsPrefix: string
  /** This instance's hand-over list. */
  readonly grants: string

  constructor(keyPrefix: string, name: string, instanceId: string) {
    const base = `${keyPrefix}{${name}}:`
    this.keys = [
      // totalTokens (the shared limit) and sequence (tickets and grant numbers)
      `${base}config`,
      // lease id -> expiry (server milliseconds)
      `${base}holders`,
      // waiter id -> ticket (FIFO order)
      `${base}queue`,
      // waiter id -> deadline by which its instance must renew it (server milliseconds)
      `${base}waiters`,
      // lease id -> grant number
      `${base}tokens`,
    ]
    this.grantsPrefix = `${base}grants:`
    this.grants = `${this.grantsPrefix}${instanceId}`
  }
}
