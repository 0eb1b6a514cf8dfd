/**
 * Waits until `check` passes (for what happens on its own time: pub/sub delivery, a renewal, another
 * process), retrying every 10 ms; fails with the check's last error after `timeoutMs`.
 */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
