/**
 * Waits ms, or less if signal aborts. The abort listener goes when the wait ends either way: a
 * loop that pauses on one long-lived signal (a paced load, a rollout's batches) must not add a
 * listener per pause.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
