import { TaskSupervisor } from '@loopwork/background-tasks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defaultErrorLog } from '../../src/internal/error-log.js'
import { deferred } from '../support/deferred.js'
import { rawRequest, readBody, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'
import type { TestRequest } from './test-app.js'

describe.each(frameworks)('background tasks on $name', (framework) => {
  const start = serversFor(framework)
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('the response arrives before its background task starts', async () => {
    const clientHasBody = deferred()
    const seen: { finishedWhenStarted?: boolean; done?: boolean } = {}
    const server = await start({
      backgroundTasks: {},
      routes: [
        {
          method: 'POST',
          path: '/signup',
          handle(request: TestRequest) {
            request.backgroundTasks!.add(async (email: string) => {
              seen.finishedWhenStarted = request.responseFinished()
              // Blocks until the client holds the whole body: had the adapter run tasks before
              // sending, the client would never get it and this test would time out.
              await clientHasBody.promise
              seen.done = email === 'a@b.c'
            }, 'a@b.c')
            return { status: 201, json: { ok: true } }
          },
        },
      ],
    })
    const response = await send(`${server.url}/signup`, { method: 'POST' })
    expect(response.status).toBe(201)
    expect(JSON.parse(response.body)).toEqual({ ok: true })
    clientHasBody.resolve()
    await vi.waitFor(() => expect(seen.done).toBe(true))
    expect(seen.finishedWhenStarted).toBe(true)
  })

  it('still runs the tasks, and reports their errors, when the client disconnected', async () => {
    const handlerStarted = deferred()
    const release = deferred()
    const ran: string[] = []
    const failures: { error: unknown; name: string }[] = []
    const supervisor = new TaskSupervisor({ name: 'after-response' })
    const server = await start({
      backgroundTasks: {
        supervisor,
        onError: (error, task) => failures.push({ error, name: task.name }),
      },
      routes: [
        {
          method: 'GET',
          path: '/slow',
          async handle(request: TestRequest) {
            request.backgroundTasks!.add(function audit() {
              throw new Error('audit store down')
            })
            request.backgroundTasks!.add(function notify(who: string) {
              ran.push(who)
            }, 'ops')
            handlerStarted.resolve()
            await release.promise
            return { json: { late: true } }
          },
        },
      ],
    })
    const exchange = rawRequest(`${server.url}/slow`)
    await handlerStarted.promise
    exchange.disconnect()
    release.resolve()
    await vi.waitFor(() => expect(ran).toEqual(['ops']))
    expect(failures).toHaveLength(1)
    expect(failures[0]!.name).toBe('audit')
    expect((failures[0]!.error as Error).message).toBe('audit store down')
    await vi.waitFor(() => expect(supervisor.stats()).toMatchObject({ started: 1, running: 0 }))
  })

  it('gives every request its own task list and starts nothing for requests that added none', async () => {
    const supervisor = new TaskSupervisor({ name: 'after-response' })
    const ran: string[] = []
    const server = await start({
      backgroundTasks: { supervisor },
      routes: [
        {
          method: 'GET',
          path: '/item/:id',
          handle(request: TestRequest) {
            const id = request.params.id!
            if (id !== 'quiet') request.backgroundTasks!.add((value: string) => ran.push(value), id)
            return { json: { id } }
          },
        },
      ],
    })
    await Promise.all(['a', 'quiet', 'b'].map((id) => send(`${server.url}/item/${id}`)))
    await vi.waitFor(() => expect([...ran].sort()).toEqual(['a', 'b']))
    await vi.waitFor(() => expect(supervisor.stats()).toMatchObject({ started: 2, running: 0 }))
  })

  it('does not hold the response for a slow task', async () => {
    const release = deferred()
    const server = await start({
      backgroundTasks: {},
      routes: [
        {
          method: 'GET',
          path: '/',
          handle(request: TestRequest) {
            request.backgroundTasks!.add(() => release.promise)
            return { text: 'sent' }
          },
        },
      ],
    })
    const exchange = rawRequest(`${server.url}/`)
    const response = await exchange.response
    expect(await readBody(response)).toBe('sent')
    release.resolve()
  })

  it('by default logs a task that fails the same way on every request once, then a count', async () => {
    defaultErrorLog.flush()
    const lines: unknown[][] = []
    vi.spyOn(console, 'error').mockImplementation((...args) => {
      lines.push(args)
    })
    const supervisor = new TaskSupervisor({ name: 'after-response' })
    const failure = new Error(`mail server down (${framework.name})`)
    const server = await start({
      backgroundTasks: { supervisor },
      routes: [
        {
          method: 'POST',
          path: '/signup',
          handle(request: TestRequest) {
            request.backgroundTasks!.add(function sendWelcomeEmail() {
              throw failure
            })
            return { status: 201, text: 'welcome' }
          },
        },
      ],
    })
    for (let signup = 0; signup < 20; signup++) {
      expect((await send(`${server.url}/signup`, { method: 'POST' })).status).toBe(201)
    }
    await vi.waitFor(() => expect(supervisor.stats()).toMatchObject({ started: 20, running: 0 }))
    expect(lines).toEqual([['[loopwork] background task "sendWelcomeEmail" failed:', failure]])
    defaultErrorLog.flush()
    expect(lines[1]).toEqual([
      `[loopwork] background task "sendWelcomeEmail" failed: (the same error 19 more times within 10 s: Error: mail server down (${framework.name}))`,
    ])
  })
})
