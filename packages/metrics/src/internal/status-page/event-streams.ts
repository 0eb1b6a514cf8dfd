/**
 * The open Server-Sent Events streams of a status page: a bound on how many, one frame written to
 * all of them per snapshot, a comment line after `heartbeatMs` of quiet (below the idle cut-off of
 * proxies and Bun's server); a client that stops reading is dropped rather than buffered for, and
 * a stream whose server stopped listening is ended at its next write, so an open page never holds
 * up a graceful shutdown.
 */
import { startInterval } from '@loopwork/internal'

/** Where one stream's bytes go: a Node response or a web stream's controller. */
export interface StreamSink {
  /** Writes one chunk; returns `false` once the sink buffers more than it should (a stalled client). */
  write(chunk: string): boolean
  /** Ends the stream. */
  end(): void
  /** Whether the stream should end now: its server stopped listening (a shutdown began). */
  stale?(): boolean
}

/** Bytes a stalled client may have buffered before it is dropped: a few snapshots' worth. */
export const maxBufferedBytes = 1 << 20

interface OpenStream {
  readonly sink: StreamSink
  quiet: boolean
}

/** The first bytes of every stream: how soon a browser reconnects after the stream ends. */
export const streamPreamble = 'retry: 2000\n\n'

/** One SSE frame; `id` is a snapshot number and `data` is JSON, which holds no raw line break. */
export function eventFrame(id: number, data: string): string {
  return `id: ${id}\ndata: ${data}\n\n`
}

/** The open streams of one status page. */
export class EventStreams {
  readonly #maxClients: number
  readonly #heartbeatMs: number
  readonly #onChange: () => void
  readonly #streams = new Set<OpenStream>()
  #heartbeat: ReturnType<typeof setInterval> | undefined

  /** `onChange` runs after a stream opened or closed. */
  constructor(maxClients: number, heartbeatMs: number, onChange: () => void) {
    this.#maxClients = maxClients
    this.#heartbeatMs = heartbeatMs
    this.#onChange = onChange
  }

  /** Streams open now. */
  get size(): number {
    return this.#streams.size
  }

  /** Whether one more stream may open. */
  get full(): boolean {
    return this.#streams.size >= this.#maxClients
  }

  /** Adds a stream (check `full` first); returns the function that removes it, idempotent. */
  open(sink: StreamSink): () => void {
    const stream: OpenStream = { sink, quiet: true }
    this.#streams.add(stream)
    this.#heartbeat ??= startInterval(() => this.#beat(), this.#heartbeatMs)
    this.#onChange()
    return () => this.#remove(stream)
  }

  /** Writes one frame to every stream; drops the streams that stopped reading. */
  broadcast(chunk: string): void {
    for (const stream of this.#streams) {
      stream.quiet = false
      this.#write(stream, chunk)
    }
  }

  /** Ends every stream. */
  closeAll(): void {
    for (const stream of [...this.#streams]) {
      this.#remove(stream)
      stream.sink.end()
    }
  }

  #beat(): void {
    for (const stream of this.#streams) {
      if (stream.quiet) this.#write(stream, ': keep-alive\n\n')
      stream.quiet = true
    }
  }

  #write(stream: OpenStream, chunk: string): void {
    let kept = false
    try {
      kept = stream.sink.stale?.() !== true && stream.sink.write(chunk)
    } catch {}
    if (!kept) {
      this.#remove(stream)
      stream.sink.end()
    }
  }

  #remove(stream: OpenStream): void {
    if (!this.#streams.delete(stream)) return
    if (this.#streams.size === 0) {
      clearInterval(this.#heartbeat)
      this.#heartbeat = undefined
    }
    this.#onChange()
  }
}
