import type { Batch } from './batch.js'

/**
 * Full batches waiting for a concurrency slot, FIFO, as an intrusive doubly linked list: push, shift
 * and removal of a batch every caller abandoned are O(1) and allocate nothing.
 */
export class BatchQueue<K, V> {
  head: Batch<K, V> | undefined
  tail: Batch<K, V> | undefined
  length = 0

  push(batch: Batch<K, V>): void {
    batch.previous = this.tail
    batch.next = undefined
    if (this.tail === undefined) this.head = batch
    else this.tail.next = batch
    this.tail = batch
    this.length++
  }

  shift(): Batch<K, V> | undefined {
    const batch = this.head
    if (batch !== undefined) this.remove(batch)
    return batch
  }

  remove(batch: Batch<K, V>): void {
    if (batch.previous === undefined) this.head = batch.next
    else batch.previous.next = batch.next
    if (batch.next === undefined) this.tail = batch.previous
    else batch.next.previous = batch.previous
    batch.previous = undefined
    batch.next = undefined
    this.length--
  }
}
