/** Stable codes of the errors this package throws. */
export type ErrorCode = never
