import { parentPort, workerData } from 'node:worker_threads';
import { runDnsLoad } from './driver.js';
import type { DnsAgentOptions } from './contract.js';

/** Worker-thread entry: runs one share of the DNS load and posts its WorkerResult. */
const { opts, index, of } = workerData as { opts: DnsAgentOptions; index: number; of: number };
const ac = new AbortController();
parentPort!.on('message', (m) => { if (m === 'stop') ac.abort(); });
runDnsLoad(opts, { index, of }, ac.signal).then(
  (res) => parentPort!.postMessage({ ok: true, res }),
  (err: unknown) => parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
);
