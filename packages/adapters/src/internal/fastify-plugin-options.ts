/**
 * A Fastify plugin's own options: what `app.register(plugin, options)` passed, without the keys
 * Fastify itself reads there (`prefix`, `logLevel`, `logSerializers`), so the plugin's check of
 * unknown options does not refuse them. Runs once per registration.
 */
export function pluginOptions<T extends object>(options: T): T {
  if (typeof options !== 'object' || options === null) return options
  if (!('prefix' in options || 'logLevel' in options || 'logSerializers' in options)) {
    return options
  }
  const {
    prefix: _prefix,
    logLevel: _logLevel,
    logSerializers: _logSerializers,
    ...own
  } = options as T & { prefix?: unknown; logLevel?: unknown; logSerializers?: unknown }
  return own as T
}
