import { InvalidOrderError } from './errors.js'

/** What `POST /orders` accepts. */
export interface OrderRequest {
  itemId: number
  quantity: number
  email: string
}

/** A placed order, as `POST /orders` and `GET /orders/:id` return it. */
export interface Order {
  id: number
  itemId: number
  quantity: number
  email: string
  totalCents: number
  /** `placed` when written; `fulfilled` once the queued follow-up has run. */
  status: 'placed' | 'fulfilled'
  createdAt: string
  /** Whether the receipt e-mail has been written to the outbox (after the response). */
  receiptSent: boolean
}

/** The largest quantity one order may carry: a bound on what one request can do to the stock. */
export const maximumOrderQuantity = 100

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * Checks an order body and returns it typed, or throws an {@link InvalidOrderError} naming the
 * field, the value and what is allowed.
 *
 * @example
 * parseOrderRequest({ itemId: 7, quantity: 2, email: 'ada@example.com' })
 */
export function parseOrderRequest(body: unknown): OrderRequest {
  if (typeof body !== 'object' || body === null) {
    throw new InvalidOrderError('the order body must be a JSON object')
  }
  const { itemId, quantity, email } = body as Record<string, unknown>
  if (!Number.isSafeInteger(itemId) || (itemId as number) < 1) {
    throw new InvalidOrderError(`itemId must be a positive integer, got ${JSON.stringify(itemId)}`)
  }
  if (
    !Number.isSafeInteger(quantity) ||
    (quantity as number) < 1 ||
    (quantity as number) > maximumOrderQuantity
  ) {
    throw new InvalidOrderError(
      `quantity must be an integer from 1 to ${maximumOrderQuantity}, got ${JSON.stringify(quantity)}`,
    )
  }
  if (typeof email !== 'string' || email.length > 254 || !emailPattern.test(email)) {
    throw new InvalidOrderError(`email must be an e-mail address, got ${JSON.stringify(email)}`)
  }
  return { itemId: itemId as number, quantity: quantity as number, email }
}
