import { Worker } from 'node:worker_threads';
import { MeasurementError } from '../../core/errors.js';
import { encode, mergeEncoded } from '../../metrics/histogram.js';
import { rcodeName } from '../../dns/resolver/wire.js';
import type { DnsAgentOptions, DnsAgentOutput } from './contract.js';
import { runDnsLoad } from './driver.js';
import type { WorkerResult } from './worker-result.js';

function runWorker(opts: DnsAgentOptions, index: number, of: number, signal?: AbortSignal): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { opts, index, of } });
    const onAbort = () => w.postMessage('stop');
    signal?.addEventListener('abort', onAbort);
    w.once('message', (m: { ok: boolean; res?: WorkerResult; error?: string }) => {
      signal?.removeEventListener('abort', onAbort);
      void w.terminate();
      if (m.ok) resolve(m.res!);
      else reject(new MeasurementError(`dns agent worker ${index}: ${m.error}`));
    });
    w.once('error', (err) => reject(new MeasurementError(`dns agent worker ${index}: ${err.message}`)));
  });
}

/**
 * The DNS load agent: closed or open loop, one share per worker
 * thread, every query and lookup in HDR histograms merged exactly across workers.
 */
export async function runDnsAgent(opts: DnsAgentOptions, signal?: AbortSignal): Promise<DnsAgentOutput> {
  const n = Math.max(1, opts.workers);
  const cpu0 = process.cpuUsage();
  const parts = n === 1
    ? [await runDnsLoad(opts, { index: 0, of: 1 }, signal)]
    : await Promise.all(Array.from({ length: n }, (_, i) => runWorker(opts, i, n, signal)));
  const cpu = process.cpuUsage(cpu0);
  // the agent's own CPU (all threads, set-up included), to judge whether the client or the server limits the rate
  return mergeResults(opts, parts, +((cpu.user + cpu.system) / 1e6).toFixed(3));
}

export function mergeResults(opts: DnsAgentOptions, parts: WorkerResult[], cpuSeconds: number): DnsAgentOutput {
  const sum = (f: (r: WorkerResult) => number) => parts.reduce((a, r) => a + f(r), 0);
  const seconds = Math.max(...parts.map((p) => p.elapsedMs)) / 1000 || 1;
  const lookups = sum((r) => r.lookups);
  const queries = sum((r) => r.queries);
  const rcodes: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  for (const p of parts) {
    p.rcodes.forEach((c, i) => { if (c > 0) rcodes[rcodeName(i)] = (rcodes[rcodeName(i)] ?? 0) + c; });
    for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  }
  const failed = sum((r) => r.failed);
  const conf = opts.raw ? undefined : opts.conf;
  const timeouts = sum((r) => r.timeouts);
  const bins = new Map<number, [number, number, number]>();
  for (const p of parts) for (const [k, [n, f, d]] of Object.entries(p.timeline ?? {})) {
    const b = bins.get(Number(k)) ?? [0, 0, 0];
    bins.set(Number(k), [b[0] + n, b[1] + f, b[2] + d]);
  }
  return {
    agent: 'dns',
    metrics: {
      'dns.lookup.latency': { hdr: encode(mergeEncoded(parts.map((p) => p.lookupLatency))) },
      'dns.query.latency': { hdr: encode(mergeEncoded(parts.map((p) => p.queryLatency))) },
      'dns.queries_per_lookup': { hdr: encode(mergeEncoded(parts.map((p) => p.queriesPerLookup))) },
      'dns.lookups.rate': { value: lookups / seconds, count: lookups },
      'dns.queries.rate': { value: queries / seconds, count: queries },
      'dns.lookups.failed': { value: failed, count: failed },
      'dns.queries.timeouts': { value: timeouts, count: timeouts },
    },
    info: {
      mode: opts.raw ? 'raw' : opts.resolver,
      ...(conf ? { ndots: conf.ndots, search: conf.search, singleRequest: conf.singleRequest, family: opts.family } : {}),
      server: `${opts.server.host}:${opts.server.port}`,
      loop: opts.qps > 0 ? 'open' : 'closed',
      qps: opts.qps,
      inflight: opts.inflight,
      workers: parts.length,
      durationMs: Math.round(seconds * 1000),
      lookups,
      queries,
      queriesSent: sum((r) => r.queriesSent),
      answered: sum((r) => r.answered),
      socketErrors: sum((r) => r.socketErrors),
      delayed: sum((r) => r.delayed),
      unfinished: sum((r) => r.unfinished),
      rcodes,
      statuses,
      cpuSeconds,
      ...(opts.timelineBinMs ? { timeline: { binMs: opts.timelineBinMs, bins: [...bins].sort((a, b) => a[0] - b[0]).map(([t, [n, f, d]]) => [t, n, f, d] as [number, number, number, number]) } } : {}),
    },
  };
}
