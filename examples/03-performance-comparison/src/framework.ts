/** The frameworks the comparison can serve with. */
export const frameworks = ['fastify', 'express', 'hono'] as const

/** One of {@link frameworks}. */
export type Framework = (typeof frameworks)[number]

/** Reads a framework name, or throws an error naming the value and the choices. */
export function parseFramework(value: string | undefined): Framework {
  const name = value ?? 'fastify'
  if ((frameworks as readonly string[]).includes(name)) return name as Framework
  throw new RangeError(`--framework must be one of ${frameworks.join(', ')}, got "${name}"`)
}
