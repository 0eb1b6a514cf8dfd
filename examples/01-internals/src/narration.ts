/** Prints one line of the walk-through. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`)
}

/** Prints a section title, underlined. */
export function heading(title: string): void {
  say()
  say(title)
  say('='.repeat(title.length))
}
