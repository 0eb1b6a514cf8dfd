import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** A free loopback port: bound once by the kernel's choice, then let go. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * A redis-server of the test's own (no persistence), which the test kills to cause an outage
 * without touching the Redis other tests share.
 */
export class PrivateRedis {
  readonly url: string
  readonly #child: ChildProcess

  private constructor(port: number, child: ChildProcess) {
    this.url = `redis://127.0.0.1:${port}`
    this.#child = child
  }

  /** Starts a server on a free port and waits until it accepts connections. */
  static async start(): Promise<PrivateRedis> {
    const port = await freePort()
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (!output.includes('Ready to accept connections')) return
        child.stdout!.off('data', onData)
        child.stdout!.resume()
        resolve()
      }
      child.stdout!.on('data', onData)
      child.stderr!.resume()
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)))
    })
    return new PrivateRedis(port, child)
  }

  /** Kills the server at once, as a crash would. */
  async kill(): Promise<void> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGKILL')
    await exited
  }
}
