/**
 * Where one shared limit lives in Redis. Every key starts with `<keyPrefix>{<name>}:`, so the `{name}`
 * hash tag puts them all in one Cluster slot and each script touches a single slot. Scripts get the
 * config key and derive the others from it (see lua-scripts.ts).
 */
export class KeyLayout {
  /** The keys every script receives: the config key. */
  readonly keys: readonly [config: string]
  /** This instance's hand-over list, where its blocking pop waits. */
  readonly grants: string

  constructor(keyPrefix: string, name: string, instanceId: string) {
    const base = `${keyPrefix}{${name}}:`
    this.keys = [`${base}config`]
    this.grants = `${base}grants:${instanceId}`
  }
}
