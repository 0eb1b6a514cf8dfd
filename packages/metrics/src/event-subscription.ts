import type { EventSource } from './primitive-shapes.js'

type Listener = (...args: any[]) => void

/**
 * Adds the listeners to `source` and returns the function that removes them all again (through
 * `off` or `removeListener`), so untracking leaves no listener behind.
 */
export function subscribe(
  source: EventSource,
  listeners: Readonly<Record<string, Listener>>,
): () => void {
  const entries = Object.entries(listeners)
  for (const [event, listener] of entries) source.on(event, listener)
  return () => {
    const remove = source.off ?? source.removeListener
    if (remove === undefined) return
    for (const [event, listener] of entries) remove.call(source, event, listener)
  }
}

/** Whether `value` can be subscribed to. */
export function isEventSource(value: unknown): value is EventSource {
  return typeof (value as EventSource | null)?.on === 'function'
}
