/**
 * Hand-over protocol between the pool and one thread, over a small SharedArrayBuffer.
 *
 * Every call handed to a thread gets a per-thread sequence number and a slot in a ring of tags.
 * The thread claims a call with a compare-and-swap (pending -> claimed) before running it; the
 * pool can take a call back the same way (pending -> revoked) as long as the thread has not
 * started it. That is what lets the pool hand several calls to a thread at once (batching and
 * pipelining) and still rebalance, cancel a call that waits behind another one, and know after a
 * crash exactly which call was running.
 */

/** Index of the counter the pool bumps (and notifies) after posting a batch; a sleeping thread waits on it. */
export const WAKE_INDEX = 0
/** Calls a thread may hold at once; also the ring size, a power of two. */
export const SLOT_COUNT = 64
const FIRST_SLOT = 2
const SLOT_MASK = SLOT_COUNT - 1
const SEQUENCE_MASK = 0x1fffffff

/** Tag state: handed to the thread, not started. */
export const PENDING = 1
/** Tag state: the thread started it. */
export const CLAIMED = 2
/** Tag state: the pool took it back; the thread skips it. */
export const REVOKED = 3

/** Allocates the shared control block of one thread. */
export function createControlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer((FIRST_SLOT + SLOT_COUNT) * 4))
}

/** The ring index of a sequence number. */
export function slotOf(sequence: number): number {
  return sequence & SLOT_MASK
}

/** The tag of `sequence` in `state`; the sequence is part of the tag so a stale claim never matches a reused slot. */
export function tagOf(sequence: number, state: number): number {
  return ((sequence & SEQUENCE_MASK) << 2) | state
}

/** Marks a call as handed over and not yet started. */
export function markPending(control: Int32Array, sequence: number): void {
  Atomics.store(control, FIRST_SLOT + slotOf(sequence), tagOf(sequence, PENDING))
}

/** The thread's side: true when the call is still pending and is now claimed by the thread. */
export function claim(control: Int32Array, sequence: number): boolean {
  return leavePending(control, sequence, CLAIMED)
}

/** The pool's side: true when the call had not started and the thread will now skip it. */
export function revoke(control: Int32Array, sequence: number): boolean {
  return leavePending(control, sequence, REVOKED)
}

/** Moves a pending call to `state` in one compare-and-swap; false when it was no longer pending. */
function leavePending(control: Int32Array, sequence: number, state: number): boolean {
  const pending = tagOf(sequence, PENDING)
  const slot = FIRST_SLOT + slotOf(sequence)
  return Atomics.compareExchange(control, slot, pending, tagOf(sequence, state)) === pending
}

/** Whether the thread has claimed (started) the call. */
export function isClaimed(control: Int32Array, sequence: number): boolean {
  return Atomics.load(control, FIRST_SLOT + slotOf(sequence)) === tagOf(sequence, CLAIMED)
}
