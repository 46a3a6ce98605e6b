import { parentPort, workerData } from 'node:worker_threads';
import { runHttpSlice, type HttpSlice } from './client.js';

/**
 * Worker-thread entry: reports 'ready' once loaded, runs its slice on 'start' (so
 * all workers load at once and measure the same interval, start-up CPU excluded), posts the
 * partial result (encoded histogram and counters) for an exact merge. 'stop' ends early.
 */
const ac = new AbortController();
parentPort?.on('message', (m: unknown) => {
  if (m === 'stop') ac.abort();
  if (m !== 'start') return;
  runHttpSlice(workerData as HttpSlice, ac.signal).then(
    (partial) => parentPort?.postMessage({ ok: true, partial }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
parentPort?.postMessage({ ready: true });
