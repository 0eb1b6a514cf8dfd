/**
 * How hard and how long each attack runs. Every attack stops by itself at its time budget or its
 * request bound, whichever comes first.
 */
export interface ChaosProfile {
  name: 'short' | 'full'
  /** Items seeded into each service's fresh database. */
  seedRows: number
  /** How long a client waits for any answer before it gives up (an unanswered request). */
  clientPatienceMs: number
  overload: {
    /** Concurrent clients on `/search`: ten times the search limiter's 16 tokens. */
    clients: number
    durationMs: number
    maxRequests: number
    /** The most the service's resident set may grow over the attack. */
    maxGrowthBytes: number
  }
  slowClients: {
    /** Export readers that read the headers and then stop reading. */
    stalledReaders: number
    /** Searches sent one after the other while they are stalled. */
    searches: number
    /** Concurrent clients that vanish mid-request or mid-stream. */
    vanishingClients: number
    durationMs: number
    maxRequests: number
  }
  orderFlood: {
    clients: number
    durationMs: number
    maxOrders: number
  }
  sigterm: {
    /** Keep-alive connections sending orders, lookups and searches. */
    clients: number
    /** Load before the signal. */
    warmUpMs: number
    /** Requests sent in all (the load stops earlier if the process exits first). */
    maxRequests: number
  }
  sigkill: {
    clients: number
    /** Order flood before the kill. */
    killAfterMs: number
    maxOrders: number
  }
  /** How long acknowledged orders may take to be fulfilled, past the time the queue needs. */
  fulfilmentGraceMs: number
}

/** The documented run (`pnpm chaos`): the services' own 100,000 items and longer, wider attacks. */
export const fullProfile: ChaosProfile = {
  name: 'full',
  seedRows: 100_000,
  clientPatienceMs: 10_000,
  overload: {
    clients: 160,
    durationMs: 20_000,
    maxRequests: 40_000,
    maxGrowthBytes: 256 * 2 ** 20,
  },
  slowClients: {
    stalledReaders: 16,
    searches: 16,
    vanishingClients: 16,
    durationMs: 10_000,
    maxRequests: 3_000,
  },
  orderFlood: { clients: 64, durationMs: 15_000, maxOrders: 6_000 },
  sigterm: { clients: 32, warmUpMs: 5_000, maxRequests: 20_000 },
  sigkill: { clients: 32, killAfterMs: 5_000, maxOrders: 10_000 },
  fulfilmentGraceMs: 60_000,
}

/**
 * A few seconds per attack: the test suite runs it for each framework. It keeps what is set by
 * the services' limits (the overload's clients and growth bound, the stalled readers, the client
 * patience) and sends fewer, shorter requests to a smaller catalog.
 */
export const shortProfile: ChaosProfile = {
  ...fullProfile,
  name: 'short',
  seedRows: 5_000,
  overload: { ...fullProfile.overload, durationMs: 2_500, maxRequests: 4_000 },
  slowClients: {
    ...fullProfile.slowClients,
    searches: 8,
    vanishingClients: 8,
    durationMs: 1_500,
    maxRequests: 200,
  },
  orderFlood: { clients: 16, durationMs: 2_000, maxOrders: 600 },
  sigterm: { clients: 16, warmUpMs: 1_000, maxRequests: 2_000 },
  sigkill: { clients: 16, killAfterMs: 1_000, maxOrders: 1_000 },
  fulfilmentGraceMs: 30_000,
}

/** The profile `CHAOS_PROFILE` names (`short` or `full`, the default). */
export function profileFromEnvironment(value = process.env.CHAOS_PROFILE): ChaosProfile {
  if (value === undefined || value === '' || value === 'full') return fullProfile
  if (value === 'short') return shortProfile
  throw new RangeError(`CHAOS_PROFILE must be "short" or "full", got "${value}"`)
}
