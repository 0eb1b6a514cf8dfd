/** The `route` label of every request that matched no route: one fixed value, never the request's path. */
export const UNMATCHED_ROUTE = '__unmatched__'

/** The `route` label of requests to routes seen after `maxRoutes` distinct routes, so a bug that passes raw paths cannot explode cardinality. */
export const OVERFLOW_ROUTE = '__overflow__'

/** The `method` label of requests whose method is not one of Node's `http.METHODS`. */
export const OTHER_METHOD = '_OTHER'

/** What a request is labelled with when it ends. */
export interface RequestLabels {
  /** The HTTP method; normalised to upper case, unknown methods become {@link OTHER_METHOD}. */
  readonly method: string
  /**
   * The matched route template (`/users/:id`), never the raw path. `undefined` or `null` when no
   * route matched: the request is labelled {@link UNMATCHED_ROUTE}.
   */
  readonly route?: string | number | null | undefined
  /** The response status code, 100 to 999, as a number or numeric string. */
  readonly status: number | string
}

/**
 * What is known about a request when it starts. Optional: it only feeds blocked-loop reports, which
 * list the method and route of the requests in flight while the loop was blocked.
 */
export interface RequestStartLabels {
  /** The HTTP method, if known. */
  readonly method?: string | undefined
  /** The route template, if already matched (Fastify knows it at `onRequest`). */
  readonly route?: string | undefined
}

/**
 * Ends a request started by `startRequest()`: records its duration under these labels, takes it
 * out of the in-flight gauge and returns the duration in seconds. Calling it again does nothing
 * and returns the first duration.
 */
export type EndRequest = (labels: RequestLabels) => number
