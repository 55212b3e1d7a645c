/**
 * Retries `check` until it passes or `timeoutMs` is over, then fails with its last error: for
 * tests waiting on a stand-in's controllers or a plugin's watch.
 */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
}
