/** A third-party peer dependency as the packages declare it. */
export interface ThirdPartyPeer {
  name: string
  range: string
  /** The packages that declare it. */
  packages: string[]
  /** The version the workspace tests with, if installed. */
  workspaceVersion: string | undefined
  /** The peer dependencies of that installed version. */
  peers: string[]
}

/** Peers at range floors, and the peers installed beside them, in one folder. */
export interface PeerSet {
  name: string
  /** The peers at the lowest version of a range alternative. */
  lowered: Record<string, string>
  /** Every package installed in the set's folder, with its version. */
  versions: Record<string, string>
  /** The test files (globs from the repository root) that run the lowered peers. */
  tests: string[]
  directory: string
}

export const root: string
export const cacheDirectory: string
export const testsOfPeer: Record<string, string[]>
export function isTypesOnly(name: string): boolean
export function rangeFloors(range: string): string[]
export function thirdPartyPeers(): ThirdPartyPeer[]
export function peerSets(): PeerSet[]
export function isInstalled(set: PeerSet): boolean
export function installPeerSets(sets?: PeerSet[]): Promise<PeerSet[]>
export function reportFile(pid: number): string
