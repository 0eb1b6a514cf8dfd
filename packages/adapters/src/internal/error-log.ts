import { describeValue, startTimer } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { DEFAULT_ERROR_LOG_WINDOW_MS, type ErrorLog, type ErrorLogOptions } from '../types.js'

const SCHEMA = { windowMs: option.duration({ min: 1 }), write: option.function }

/**
 * How many distinct errors one window counts. A flood of errors that all differ (a message with a
 * request id in it) is written as it comes rather than growing the table without bound.
 */
const MAX_TRACKED = 100

interface Repeats {
  /** The line the error was first written with. */
  readonly message: string
  /** The first error, for the summary's one-line description. */
  readonly error: unknown
  /** Where the summary goes: the writer the error was first reported with. */
  readonly write: (message: string, error?: unknown) => void
  /** How many identical errors came after the first one in this window. */
  count: number
}

/**
 * Writes each error once per window and counts the identical ones that follow (same message, same
 * stack): at the end of the window one line says how many there were. A flood (a database down,
 * thousands of requests failing the same way) then writes one stack trace and one count instead of
 * thousands of identical traces, and a new kind of error still shows at once.
 */
export class RepeatedErrorLog implements ErrorLog {
  readonly #windowMs: number
  readonly #write: (message: string, error?: unknown) => void
  readonly #seen = new Map<string, Repeats>()
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(options?: ErrorLogOptions) {
    option.check('createErrorLog() options', options, SCHEMA)
    this.#windowMs = options?.windowMs ?? DEFAULT_ERROR_LOG_WINDOW_MS
    this.#write = options?.write ?? writeToStderr
  }

  report(message: string, error: unknown, write = this.#write): void {
    const key = `${message}\n${fingerprint(error)}`
    const repeats = this.#seen.get(key)
    if (repeats !== undefined) {
      repeats.count++
      return
    }
    if (this.#seen.size < MAX_TRACKED) {
      this.#seen.set(key, { message, error, write, count: 0 })
      this.#timer ??= startTimer(() => this.flush(), this.#windowMs)
    }
    write(message, error)
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    const seen = [...this.#seen.values()]
    this.#seen.clear()
    const seconds = this.#windowMs / 1000
    for (const { message, error, write, count } of seen) {
      if (count === 0) continue
      try {
        write(
          `${message} (the same error ${count} more time${count === 1 ? '' : 's'} within ${seconds} s: ${oneLine(error)})`,
        )
      } catch {
        // A logger that throws must not stop the other summaries, nor escape a timer.
      }
    }
  }
}

/** What makes two errors identical: their stack (which starts with name and message), or their text. */
function fingerprint(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return describeValue(error)
}

function oneLine(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return describeValue(error)
}

function writeToStderr(message: string, error?: unknown): void {
  if (error === undefined) console.error(message)
  else console.error(message, error)
}

/** The log behind the adapters' default error reporting (stderr), shared by every feature. */
export const defaultErrorLog = new RepeatedErrorLog()

/**
 * An error log that writes each error once per window and then only counts its identical repeats,
 * writing one summary line with the count at the end of the window. Use it for your own error
 * handlers, so a failure that hits every request logs one stack trace, not thousands.
 *
 * @example
 * const errors = createErrorLog({ write: (message, error) => logger.error({ err: error }, message) })
 * app.use((error, request, response, next) => {
 *   errors.report('request failed', error)
 *   response.status(500).json({ error: 'Internal Server Error' })
 * })
 */
export function createErrorLog(options?: ErrorLogOptions): ErrorLog {
  return new RepeatedErrorLog(options)
}
