import { randomBytes } from 'node:crypto'
import { readlinkSync } from 'node:fs'
import { hostname } from 'node:os'

/**
 * Who holds a lease: the machine, the process-id namespace (containers on one machine each have
 * their own), the process id and a random part (two queue objects in one process, or a process
 * id reused after a restart, are told apart). Written into each leased job as `lease_owner`.
 */
export interface LeaseOwner {
  /** The `lease_owner` text: `host|pid-namespace|pid|random`. */
  readonly id: string
}

const separator = '|'
const machine = hostname().replaceAll(separator, '_')
const pidNamespace = readPidNamespace()

function readPidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid')
  } catch {
    return ''
  }
}

/** A new owner identity for one queue object. */
export function newLeaseOwner(): LeaseOwner {
  return {
    id: [machine, pidNamespace, String(process.pid), randomBytes(6).toString('hex')].join(
      separator,
    ),
  }
}

/**
 * Whether the owner is a process on this machine, in this process-id namespace, that no longer
 * exists, so its leases can be taken back at once instead of after they expire. Unknown cases
 * (another machine, another namespace, no namespace to compare on Linux, a process that exists
 * but belongs to another user) count as alive: waiting for the lease to expire is always safe.
 */
export function ownerIsGone(owner: string): boolean {
  const [ownerMachine, ownerNamespace, pidText] = owner.split(separator)
  if (ownerMachine !== machine || ownerNamespace !== pidNamespace) return false
  if (pidNamespace === '' && process.platform === 'linux') return false
  const pid = Number(pidText)
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as { code?: unknown }).code === 'ESRCH'
  }
}
