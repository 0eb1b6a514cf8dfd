import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { CapacityLimiter, QueueFullError, TimeoutError } from '@loopwork/limiter'
import { heading, say } from './narration.js'

/** Part 1: what a CapacityLimiter does — 40 tokens, FIFO waiting, resizing, load shedding, timeouts. */
export async function walkThroughLimiter(): Promise<void> {
  heading('1. CapacityLimiter: tokens, waiting, resizing, load shedding')
  const limiter = new CapacityLimiter({ name: 'demo' })
  say(`A new CapacityLimiter has ${limiter.totalTokens} tokens, anyio's default thread limit.`)

  say('Start 60 tasks of 20 ms each: 40 borrow a token, 20 wait in FIFO order.')
  const tasks = Array.from({ length: 60 }, (_, index) => limiter.run(() => sleep(20, index)))
  await nextTurn()
  say(`   borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`)
  await sleep(25)
  say(
    `   after the first wave: borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`,
  )
  await Promise.all(tasks)
  say(`   all done: borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`)

  say(
    'Resize at runtime: shrink to 2 tokens, queue 6 tasks, then grow to 6: the waiters start at once.',
  )
  limiter.totalTokens = 2
  const resized = Array.from({ length: 6 }, () => limiter.run(() => sleep(20)))
  await nextTurn()
  say(`   with 2 tokens: borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`)
  limiter.totalTokens = 6
  say(`   grown to 6:    borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`)
  await Promise.all(resized)

  say(
    'Load shedding: with maxWaiting 2, a third waiter is rejected at once (an HTTP adapter answers 503).',
  )
  const strict = new CapacityLimiter({ totalTokens: 1, maxWaiting: 2, name: 'strict' })
  const hold = await strict.acquire()
  const waiters = [strict.acquire(), strict.acquire()]
  await strict.acquire().catch((error: unknown) => {
    if (error instanceof QueueFullError) {
      say(`   rejected: ${error.name} (${error.code}, ${error.option} = ${error.limit})`)
    }
  })

  say('A waiter with timeoutMs gives up on its own and leaves the queue.')
  const impatient = new CapacityLimiter({ totalTokens: 1, name: 'impatient' })
  const busy = await impatient.acquire()
  // The limiter's timer never keeps a process alive on its own (it is unref'ed): this script has
  // nothing else to wait for, so a plain sleep longer than the timeout keeps it running meanwhile.
  await Promise.all([
    impatient.acquire({ timeoutMs: 30 }).catch((error: unknown) => {
      if (error instanceof TimeoutError) say(`   ${error.message}`)
    }),
    sleep(40),
  ])
  say(`   waiting afterwards: ${impatient.waiting}`)
  busy.release()

  hold.release()
  for (const waiter of waiters) (await waiter).release()
  say(`Stats of "demo": ${JSON.stringify(limiter.stats())}`)
}
