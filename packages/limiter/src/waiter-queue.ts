import type { Waiter } from './waiter.js'

/**
 * A FIFO of waiters as an intrusive doubly linked list: push, shift and removal from the middle are
 * O(1) and allocate nothing beyond the waiter itself.
 */
export class WaiterQueue {
  head: Waiter | undefined
  tail: Waiter | undefined
  length = 0

  push(waiter: Waiter): void {
    waiter.previous = this.tail
    waiter.next = undefined
    if (this.tail === undefined) this.head = waiter
    else this.tail.next = waiter
    this.tail = waiter
    this.length++
  }

  shift(): Waiter | undefined {
    const waiter = this.head
    if (waiter === undefined) return undefined
    const next = waiter.next
    this.head = next
    if (next === undefined) this.tail = undefined
    else {
      next.previous = undefined
      waiter.next = undefined
    }
    this.length--
    return waiter
  }

  remove(waiter: Waiter): void {
    if (waiter.previous === undefined) this.head = waiter.next
    else waiter.previous.next = waiter.next
    if (waiter.next === undefined) this.tail = waiter.previous
    else waiter.next.previous = waiter.previous
    waiter.previous = undefined
    waiter.next = undefined
    this.length--
  }
}
