import { parentPort, workerData } from 'node:worker_threads';
import { runCannonSlice, type CannonSlice } from './cannon.js';

/**
 * Worker-thread entry: reports 'ready' once autocannon is loaded, runs its slice on 'start' (so
 * all workers load at once and measure the same interval, start-up CPU excluded), posts the
 * partial result (encoded histogram and counters) for an exact merge. 'stop' ends early.
 */
const ac = new AbortController();
parentPort?.on('message', (m: unknown) => {
  if (m === 'stop') ac.abort();
  if (m !== 'start') return;
  runCannonSlice(workerData as CannonSlice, ac.signal).then(
    (partial) => parentPort?.postMessage({ ok: true, partial }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
parentPort?.postMessage({ ready: true });
