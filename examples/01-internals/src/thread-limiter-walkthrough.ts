import { availableParallelism } from 'node:os'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { currentDefaultThreadLimiter, toThread } from '@loopwork/thread-offload'
import { heading, say } from './narration.js'

/** The worker module every offloaded call of this walk-through runs in. */
const tasks = new URL('./internals-tasks.js', import.meta.url)

/**
 * Part 2: the process-wide thread limiter every pool uses, its borrowed tokens rising and falling
 * as offloaded calls run, and resizing it at runtime.
 */
export async function walkThroughThreadLimiter(): Promise<void> {
  heading('2. The default thread limiter: 40 offloaded calls in flight')
  const limiter = currentDefaultThreadLimiter()
  say(
    `currentDefaultThreadLimiter() has ${limiter.totalTokens} tokens, like FastAPI's thread pool (anyio's to_thread).`,
  )
  say(
    `It caps calls in flight (running + queued); the threads are capped separately by maxThreads (here ${availableParallelism()}, the cores).`,
  )

  const borrowed: number[] = []
  const record = () => void borrowed.push(limiter.borrowedTokens)
  limiter.on('acquire', record)
  limiter.on('release', record)
  say(
    'Run 8 calls of 50 ms of blocking work with toThread(); borrowedTokens at each acquire and release:',
  )
  await Promise.all(Array.from({ length: 8 }, () => toThread(tasks, 'blockFor', [50])))
  limiter.off('acquire', record)
  limiter.off('release', record)
  say(`   ${borrowed.join(' ')}`)
  say(`   highest: ${Math.max(...borrowed)}, afterwards: borrowedTokens=${limiter.borrowedTokens}`)

  heading('3. Resizing the thread limiter at runtime')
  limiter.totalTokens = 2
  say('Shrink it to 2 tokens and start 6 calls of 200 ms: 2 borrow a token, 4 wait.')
  const calls = Array.from({ length: 6 }, () => toThread(tasks, 'blockFor', [200]))
  await nextTurn()
  say(`   with 2 tokens: borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`)
  limiter.totalTokens = 6
  say(`   grown to 6:    borrowedTokens=${limiter.borrowedTokens} waiting=${limiter.waiting}`)
  say('   (the change takes effect at once: the 4 waiters were handed tokens by the setter itself)')
  await Promise.all(calls)
  limiter.totalTokens = 40
  say(`   restored to ${limiter.totalTokens}; borrowedTokens=${limiter.borrowedTokens}`)
}
