import { parentPort, workerData } from 'node:worker_threads';
import { runCannonSlice, type CannonSlice } from './cannon.js';

/**
 * Worker-thread entry: runs one slice and posts its partial result (encoded histogram and
 * counters), so the parent merges workers exactly. A 'stop' message ends the slice early.
 */
const ac = new AbortController();
parentPort?.on('message', (m: unknown) => {
  if (m === 'stop') ac.abort();
});
runCannonSlice(workerData as CannonSlice, ac.signal).then(
  (partial) => parentPort?.postMessage({ ok: true, partial }),
  (err: unknown) => parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
);
