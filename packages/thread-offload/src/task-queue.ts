import type { Task } from './task.js'

/**
 * The pool's FIFO of calls that hold a token and wait for a thread, as an intrusive doubly linked
 * list: push, unshift, shift and removal from the middle are O(1) and allocate nothing.
 */
export class TaskQueue {
  head: Task | undefined
  tail: Task | undefined
  length = 0

  push(task: Task): void {
    task.previous = this.tail
    task.next = undefined
    if (this.tail === undefined) this.head = task
    else this.tail.next = task
    this.tail = task
    this.length++
  }

  /** Puts a call back at the front, for calls taken back from a thread that had not started them. */
  unshift(task: Task): void {
    task.previous = undefined
    task.next = this.head
    if (this.head === undefined) this.tail = task
    else this.head.previous = task
    this.head = task
    this.length++
  }

  remove(task: Task): void {
    if (task.previous === undefined) this.head = task.next
    else task.previous.next = task.next
    if (task.next === undefined) this.tail = task.previous
    else task.next.previous = task.previous
    task.previous = undefined
    task.next = undefined
    this.length--
  }
}
