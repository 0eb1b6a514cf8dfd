// Chaos checks of the three catalog services. Run: pnpm chaos (the full profile, a few minutes),
// or CHAOS_PROFILE=short for a few seconds per attack; CHAOS_FRAMEWORKS=hono,express for a subset.
// Prints one table row per attack and service, and exits with 1 when a row fails.

import { profileFromEnvironment } from './chaos-profile.js'
import { describeMachine, runChaos } from './chaos-run.js'
import { renderTable } from './chaos-table.js'
import { frameworksFromEnvironment } from './service-child.js'

const profile = profileFromEnvironment()
const frameworks = frameworksFromEnvironment()
const log = (line: string) => process.stdout.write(`${line}\n`)
const started = new Date()
log(`chaos run, ${profile.name} profile, on ${frameworks.join(', ')}: ${describeMachine()}`)
const rows = await runChaos({ profile, frameworks, log })
const failed = rows.filter((row) => row.outcome === 'fail')
log('')
log(
  `Chaos run (${profile.name} profile), ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round((Date.now() - started.getTime()) / 1000)} s, on ${describeMachine()}:`,
)
log('')
log(renderTable(rows))
log('')
log(
  failed.length === 0
    ? `every row passed (${rows.filter((row) => row.outcome === 'skip').length} skipped)`
    : `${failed.length} rows failed: ${failed.map((row) => `${row.framework} ${row.attack}`).join(', ')}`,
)
process.exitCode = failed.length === 0 ? 0 : 1
