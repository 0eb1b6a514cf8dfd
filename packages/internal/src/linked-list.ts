/** What an item needs to live in a {@link LinkedList}: the list links are fields of the item itself. */
export interface ListNode<T> {
  previous: T | undefined
  next: T | undefined
}

/**
 * A FIFO as an intrusive doubly linked list: push, unshift, shift and removal from the middle are O(1) and
 * allocate nothing beyond the item itself (an array's `splice` is O(n), a `Set` allocates per entry).
 */
export class LinkedList<T extends ListNode<T>> {
  /** The oldest item. */
  head: T | undefined = undefined
  /** The newest item. */
  tail: T | undefined = undefined
  /** How many items the list holds. */
  length = 0

  /** Appends `item`, which must not be in any list. */
  push(item: T): void {
    item.previous = this.tail
    item.next = undefined
    if (this.tail === undefined) this.head = item
    else this.tail.next = item
    this.tail = item
    this.length++
  }

  /**
   * Puts `item`, which must not be in any list, in front of the oldest one: for work taken back
   * before it started, which keeps its place ahead of everything that came after it.
   */
  unshift(item: T): void {
    item.previous = undefined
    item.next = this.head
    if (this.head === undefined) this.tail = item
    else this.head.previous = item
    this.head = item
    this.length++
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    const item = this.head
    if (item !== undefined) this.remove(item)
    return item
  }

  /** Removes `item`, which must be in this list. */
  remove(item: T): void {
    if (item.previous === undefined) this.head = item.next
    else item.previous.next = item.next
    if (item.next === undefined) this.tail = item.previous
    else item.next.previous = item.previous
    item.previous = undefined
    item.next = undefined
    this.length--
  }
}
