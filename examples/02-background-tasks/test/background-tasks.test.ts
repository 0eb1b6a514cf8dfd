import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Keys of a queue left in Redis (SCAN, never KEYS, since other tests share this Redis). */
async function keysOf(queueName: string): Promise<string[]> {
  const redis = new Redis(redisUrl)
  try {
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `*${queueName}*`, 'COUNT', 1000)
      keys.push(...batch)
      cursor = next
    } while (cursor !== '0')
    return keys
  } finally {
    redis.disconnect()
  }
}

// The walk-through runs once (its SQLite and BullMQ parts with worker processes); each part's output
// is checked on its own, so a broken part does not hide how the others went.
describe('the walk-through', () => {
  const queueName = `loopwork-example-test-${randomUUID()}`
  let stdout = ''
  let lines: string[] = []
  const lineOf = (text: string) => lines.findIndex((line) => line.includes(text))

  beforeAll(async () => {
    const walkThrough = await run(
      process.execPath,
      ['--conditions=@loopwork/source', '--import', 'tsx', 'src/main.ts'],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, REDIS_URL: redisUrl, DEMO_QUEUE_NAME: queueName },
        timeout: 90_000,
      },
    )
    stdout = walkThrough.stdout
    lines = stdout.split('\n')
  }, 120_000)

  it('1. finishes the response before the first task starts; a failure is reported and the next task runs', () => {
    expect(lineOf('server: response finished')).toBeGreaterThanOrEqual(0)
    expect(lineOf('server: response finished')).toBeLessThan(lineOf('task sendWelcomeEmail'))
    expect(stdout).toContain('client: got 200 {"signedUp":true}')
    expect(stdout).toContain('onError: task "recordAudit" failed: audit store is read-only')
    expect(lineOf('onError: task "recordAudit"')).toBeLessThan(
      lineOf('task updateSignupCount runs'),
    )
    expect(stdout).toContain('tasks report: 2 succeeded, 1 failed')
  })

  it('2. supervises fire-and-forget: failures reported with their names, nothing unhandled', () => {
    expect(stdout).toContain('Spawned 3 tasks and went on at once: running=3')
    expect(stdout).toMatch(/reindex +succeeded +"item 42 reindexed"/)
    expect(stdout).toContain('onError: "sync-search" failed: search cluster unreachable')
    expect(stdout).toMatch(
      /warm-cache +failed +Task "warm-cache" of supervisor "jobs" did not finish within timeoutMs \(50 ms\)/,
    )
    expect(stdout).toContain('Counters: started=3 succeeded=1 failed=2 aborted=0')
    expect(stdout).toContain('Unhandled rejections in the process: 0')
  })

  it('3. retries with backoff, then a dead letter', () => {
    expect(stdout).toMatch(/retrying chargeCard \(attempt 1 failed.*next in 20 ms/)
    expect(stdout).toMatch(/retrying chargeCard \(attempt 2 failed.*next in 40 ms/)
    expect(stdout).toContain('chargeCard result: {"orderId":7,"charged":4200}')
    expect(stdout).toContain('notifyWarehouse result: JobFailedError')
    expect(stdout).toContain(
      'notifyWarehouse {"orderId":7} after 3 attempts: warehouse API answered 500',
    )
    expect(stdout).toContain('Counters: completed=1 failed=1 retried=4')
  })

  it('4. shuts down draining: every accepted job accounted for', () => {
    expect(stdout).toContain('supervisor: finished [flush-audit-log], aborted [rebuild-sitemap]')
    const queueLine = lines[lineOf('queue: sent e-mails')]!
    const numbers = [...queueLine.matchAll(/\[([\d, ]*)\]/g)].flatMap((match) =>
      match[1]!.split(', ').filter(Boolean).map(Number),
    )
    expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6])
    expect(stdout).toContain('a spawn after drain(): ClosedError (LOOPWORK_CLOSED)')
  })

  it("5. SQLite: an order and its job commit together or not at all; a killed worker's job runs again", () => {
    expect(stdout).toContain('order 1 (lamp) and job fulfil-1 committed in one transaction')
    expect(stdout).toContain(
      'the sofa order failed (payment for the sofa was declined): rolled back with its job, 1 order and 1 job in the file',
    )
    expect(stdout).toContain('worker-1 fulfilled order 1')
    expect(stdout).toContain('killed worker-1 while it fulfilled order 2 (attempt 1)')
    expect(stdout).toContain('worker-2 fulfilled order 2: nothing acknowledged was lost')
    expect(stdout).toContain('order 2 chair: fulfilled by worker-2')
    expect(stdout).toContain("the shop's queue closed; jobs left in the file: 0")
    expect(stdout).toContain('an add() after close(): ClosedError (LOOPWORK_CLOSED)')
  })

  it("6. BullMQ: both workers ran jobs, a killed worker's job was recovered by the other one, nothing is left in Redis", async () => {
    expect(stdout).toContain(`Queue "${queueName}" in Redis`)
    const rendered = [...stdout.matchAll(/(worker-\d) rendered reports ([\d, ]+)/g)]
    expect(
      rendered.flatMap((match) => match[2]!.split(', ').map(Number)).sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const killed = stdout.match(/killed (worker-\d) while it rendered report 99/)![1]
    const completedBy = stdout.match(/report 99 was completed by (worker-\d)/)![1]
    expect(completedBy).not.toBe(killed)
    expect(stdout).toMatch(/worker-\d closed gracefully with exit code 0/)
    expect(stdout).toContain(`Removed queue "${queueName}" from Redis.`)
    expect(await keysOf(queueName)).toEqual([])
  })

  it('runs every part to the end', () => {
    expect(stdout.trimEnd().endsWith('Done.')).toBe(true)
  })
})
