import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** A redis-server of the chaos run's own, on a free loopback port, that an attack may kill. */
export interface RedisSidecar {
  /** `redis://127.0.0.1:<port>`, handed to the services as `REDIS_URL`. */
  url: string
  /** Clients connected right now, the asking connection left out. */
  connectedClients(): Promise<number>
  /** Kills the server with SIGKILL (a crash, not a shutdown). */
  kill(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** Sends one inline command and resolves with the raw reply (or rejects). */
function command(port: number, text: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`redis on ${port} did not answer ${text}`))
    }, timeoutMs)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      reply += chunk
      // An inline reply ends with CRLF; a bulk reply ($len) ends once its length has arrived.
      const bulk = /^\$(\d+)\r\n/.exec(reply)
      const complete =
        bulk === null
          ? reply.endsWith('\r\n')
          : reply.length >= bulk[0].length + Number(bulk[1]) + 2
      if (complete) {
        clearTimeout(timer)
        socket.end()
        resolve(reply)
      }
    })
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.write(`${text}\r\n`)
  })
}

/**
 * Starts `redis-server` without persistence on a free port, or resolves with `undefined` when no
 * redis-server binary can be run.
 */
export async function startRedisSidecar(): Promise<RedisSidecar | undefined> {
  const port = await freePort()
  let child: ChildProcess
  try {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
  } catch {
    return undefined
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  let gone = false
  void exited.then(() => {
    gone = true
  })
  for (let attempt = 0; attempt < 50 && !gone; attempt++) {
    try {
      if ((await command(port, 'PING')).startsWith('+PONG')) {
        return {
          url: `redis://127.0.0.1:${port}`,
          connectedClients: async () => {
            const list = await command(port, 'CLIENT LIST')
            const lines = list.split('\n').filter((line) => line.startsWith('id='))
            return Math.max(0, lines.length - 1)
          },
          kill: async () => {
            if (!gone) child.kill('SIGKILL')
            await exited
          },
        }
      }
    } catch {
      await sleep(100)
    }
  }
  if (!gone) child.kill('SIGKILL')
  await exited
  return undefined
}
