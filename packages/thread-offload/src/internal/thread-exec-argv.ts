/**
 * Which of the parent's Node flags a thread gets. A thread inherits the parent's `execArgv`, but
 * some flags describe the process's entry point and break a thread that runs a file:
 * `node --input-type=module -e "..."` makes every thread fail with ERR_INPUT_TYPE_NOT_ALLOWED.
 * Others are process-wide and a thread refuses them outright (`--max-old-space-size`).
 */

/** Entry-point flags that are always followed by a value, given apart or after `=`. */
const ENTRY_FLAGS_WITH_VALUE = new Set([
  '--input-type',
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '-ep',
  '--run',
])
/** Entry-point flags that stand alone. */
const ENTRY_FLAGS = new Set(['-c', '--check', '-i', '--interactive', '--entry-url'])
/** Families of entry-point flags (the test runner, watch mode); some take a value apart. */
const ENTRY_FLAG_FAMILIES = ['--test', '--watch'] as const

/**
 * `execArgv` without the flags that only mean something for the process's entry point: how its
 * source is given (`--input-type`, `-e`/`--eval`, `-p`/`--print`, `-c`/`--check`, `-i`,
 * `--entry-url`, `--run`), the test runner (`--test`, `--test-*`) and watch mode (`--watch`,
 * `--watch-*`), each with its value. Loaders, `--import`, `--require`, `--conditions` and every
 * other flag are kept. Returns `execArgv` itself when there is nothing to drop.
 */
export function withoutEntryFlags(execArgv: readonly string[]): readonly string[] {
  let kept: string[] | undefined
  for (let index = 0; index < execArgv.length; index++) {
    const flag = execArgv[index]!
    const name = flag.startsWith('--') ? flag.split('=', 1)[0]! : flag
    // A value given after `=` is part of the flag; one given apart is the next entry.
    const apart = name === flag
    let skip: number
    if (ENTRY_FLAGS_WITH_VALUE.has(name)) skip = apart ? 1 : 0
    else if (ENTRY_FLAGS.has(name)) skip = 0
    else if (isFamilyFlag(name)) skip = apart ? valuesAfter(execArgv, index) : 0
    else {
      kept?.push(flag)
      continue
    }
    kept ??= execArgv.slice(0, index)
    index += skip
  }
  return kept ?? execArgv
}

function isFamilyFlag(name: string): boolean {
  return ENTRY_FLAG_FAMILIES.some((family) => name === family || name.startsWith(`${family}-`))
}

/**
 * 1 when the flag at `index` is followed by its value: `execArgv` holds only flags and their
 * values, so an entry that is not a flag belongs to the one before it.
 */
function valuesAfter(execArgv: readonly string[], index: number): number {
  const next = execArgv[index + 1]
  return next !== undefined && !next.startsWith('-') ? 1 : 0
}

/**
 * `execArgv` minus the flags a thread refused (`ERR_WORKER_INVALID_EXEC_ARGV` lists them: V8 and
 * process-wide options such as `--max-old-space-size` or `--expose-gc`), each with its value when
 * it was given apart (`--title name`).
 */
export function withoutRefusedFlags(execArgv: readonly string[], error: Error): string[] {
  const listed = error.message.slice(error.message.indexOf(':') + 1).split(',')
  const refused = new Set(listed.map((flag) => flag.trim()))
  const kept: string[] = []
  for (let index = 0; index < execArgv.length; index++) {
    const flag = execArgv[index]!
    if (!refused.has(flag)) kept.push(flag)
    else if (!flag.includes('=')) index += valuesAfter(execArgv, index)
  }
  return kept
}
