/**
 * Where a thread starts. The package build replaces this file (see `build/embed-thread-entry.ts`):
 * `THREAD_ENTRY_CODE` becomes the thread entry (`worker-entry.ts` and everything it imports) as one
 * self-contained ES module whose only imports are Node builtins, and `SOURCE_ENTRY` becomes
 * `undefined`. Threads then start from that code (Node evaluates it; Bun and Deno import it as a
 * `data:` URL): no file has to sit next to the package, so a pool keeps working once the
 * application is bundled into one file, in ESM or CommonJS output, moved or deployed elsewhere.
 * The built package never reads `import.meta`, which a CommonJS bundle leaves empty.
 *
 * Running from its TypeScript sources (its own tests, a workspace that resolves `@loopwork/*` to
 * sources), there is no code to embed: threads start from `worker-entry.ts` itself.
 */

/** The thread entry's code; `undefined` in the sources. */
export const THREAD_ENTRY_CODE: string | undefined = undefined

/** The thread entry's source file; `undefined` in the built package. */
export const SOURCE_ENTRY: URL | undefined = new URL('./worker-entry.ts', import.meta.url)
