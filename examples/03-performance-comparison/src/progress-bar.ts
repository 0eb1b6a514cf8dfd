/** The stream the bar is drawn on: stderr, so stdout keeps only the results. */
export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

const width = 30

/**
 * A progress bar over the run's expected total time. On a terminal it redraws one line a few
 * times a second; elsewhere (CI logs, a test's pipe) it prints one line per step instead of
 * carriage-return noise.
 */
export class ProgressBar {
  readonly #totalMs: number
  readonly #stream: ProgressStream
  readonly #started = performance.now()
  #label = ''
  #timer: NodeJS.Timeout | undefined

  constructor(totalMs: number, stream: ProgressStream = process.stderr) {
    this.#totalMs = totalMs
    this.#stream = stream
    if (stream.isTTY) {
      this.#timer = setInterval(() => this.#draw(), 250)
      this.#timer.unref()
    }
  }

  /** Names the step now running. */
  step(label: string): void {
    this.#label = label
    if (this.#stream.isTTY) this.#draw()
    else this.#stream.write(`[${this.#percent().toString().padStart(3)}%] ${label}\n`)
  }

  /** Draws the bar full and stops redrawing. */
  finish(): void {
    clearInterval(this.#timer)
    this.#label = 'done'
    if (this.#stream.isTTY) {
      this.#draw(100)
      this.#stream.write('\n')
    } else {
      this.#stream.write('[100%] done\n')
    }
  }

  #percent(): number {
    const elapsed = performance.now() - this.#started
    return Math.min(99, Math.floor((elapsed / this.#totalMs) * 100))
  }

  #draw(percent = this.#percent()): void {
    const filled = Math.round((percent / 100) * width)
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`
    this.#stream.write(`\r${bar} ${percent.toString().padStart(3)}%  ${this.#label}\u001b[K`)
  }
}
