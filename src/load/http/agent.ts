import { Worker } from 'node:worker_threads';
import { UsageError, MeasurementError } from '../../core/errors.js';
import { encode, mergeEncoded } from '../../metrics/histogram.js';
import { runHttpSlice, type HttpPartial, type HttpSlice } from './client.js';
import type { HttpAgentOptions, HttpAgentOutput } from './contract.js';

/** Splits n into k near-equal integer parts, larger ones first. */
export function split(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

function validate(o: HttpAgentOptions): void {
  const problems: string[] = [];
  if (!o.targets.length) problems.push('--targets: no targets');
  if (!(o.connections >= 1)) problems.push('--connections must be >= 1');
  if (!(o.workers >= 1)) problems.push('--workers must be >= 1');
  if (!(o.pipelining >= 1)) problems.push('--pipelining must be >= 1');
  if (!o.keepAlive && o.pipelining > 1) problems.push('--pipelining > 1 needs keep-alive (a no-keep-alive connection carries one request)');
  if (!(o.durationMs > 0)) problems.push('--duration must be > 0');
  if (!(o.timeoutMs > 0)) problems.push('--timeout must be > 0');
  if (!(o.rate >= 0)) problems.push('--rate must be >= 0');
  if (problems.length) throw new UsageError(`bad http agent options: ${problems.join('; ')}`, problems[0], problems);
}

interface WorkerMessage {
  ready?: boolean;
  ok?: boolean;
  partial?: HttpPartial;
  error?: string;
}

/** A worker thread loaded and waiting for 'start'; result() settles with its slice's partial. */
async function loadWorker(slice: HttpSlice): Promise<{ start(): void; stop(): void; result: Promise<HttpPartial> }> {
  const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: slice });
  let ready!: () => void;
  const loaded = new Promise<void>((r) => { ready = r; });
  const result = new Promise<HttpPartial>((resolve, reject) => {
    w.on('message', (m: WorkerMessage) => {
      if (m.ready) return ready();
      if (m.ok && m.partial) resolve(m.partial);
      else reject(new MeasurementError(`http agent worker failed: ${m.error}`));
      void w.terminate();
    });
    w.once('error', (err) => { ready(); reject(err); });
    w.once('exit', (code) => { ready(); reject(new MeasurementError(`http agent worker exited (${code}) without a result`)); });
  });
  result.catch(() => undefined);
  await loaded;
  return { start: () => w.postMessage('start'), stop: () => w.postMessage('stop'), result };
}

async function runInWorkers(slices: HttpSlice[], starting: () => void, signal?: AbortSignal): Promise<HttpPartial[]> {
  const workers = await Promise.all(slices.map(loadWorker));
  const onAbort = () => workers.forEach((w) => w.stop());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    starting();
    workers.forEach((w) => w.start());
    if (signal?.aborted) onAbort();
    return await Promise.all(workers.map((w) => w.result));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The HTTP load agent: `connections` connections spread over the targets (see client.ts), split
 * over `workers` threads each running one slice of them; one merged HDR histogram.
 * http.rps counts every completed response (as wrk does); http.errors adds non-2xx responses,
 * connection errors/resets and timeouts, each also reported on its own in info.
 */
export async function runHttpAgent(opts: HttpAgentOptions, signal?: AbortSignal): Promise<HttpAgentOutput> {
  validate(opts);
  // a rate below the connection count would only leave connections idle
  const connections = opts.rate > 0 ? Math.max(1, Math.min(opts.connections, Math.floor(opts.rate))) : opts.connections;
  const workers = Math.min(opts.workers, connections);
  const conns = split(connections, workers);
  const rates = opts.rate > 0 ? conns.map((c) => (opts.rate * c) / connections) : conns.map(() => 0);
  let first = 0;
  const slices: HttpSlice[] = conns.map((c, i) => {
    const s: HttpSlice = {
      targets: opts.targets, connections: c, firstConnection: first, totalConnections: connections,
      durationMs: opts.durationMs, keepAlive: opts.keepAlive, pipelining: opts.pipelining,
      rate: rates[i], timeoutMs: opts.timeoutMs, path: opts.path ?? '/',
    };
    first += c;
    return s;
  });
  let cpu0 = process.cpuUsage();
  let parts: HttpPartial[];
  if (workers === 1) {
    parts = [await runHttpSlice(slices[0], signal)];
  } else {
    parts = await runInWorkers(slices, () => { cpu0 = process.cpuUsage(); }, signal);
  }

  // CPU of the whole agent process (all threads): tells a CPU-bound agent from a slow data path
  const cpu = process.cpuUsage(cpu0);
  const sum = (k: 'responses' | 'non2xx' | 'connErrors' | 'timeouts' | 'connects') => parts.reduce((a, p) => a + p[k], 0);
  const elapsedMs = Math.max(...parts.map((p) => p.elapsedMs));
  const responses = sum('responses');
  const non2xx = sum('non2xx');
  const connErrors = sum('connErrors');
  const timeouts = sum('timeouts');
  const errors = non2xx + connErrors + timeouts;
  const hist = mergeEncoded(parts.map((p) => p.hdr));
  return {
    agent: 'http',
    metrics: {
      'http.latency': { hdr: encode(hist) },
      'http.rps': { value: responses / (elapsedMs / 1000), count: responses },
      'http.errors': { value: errors, count: responses + connErrors + timeouts },
    },
    info: {
      targets: opts.targets.length,
      connections,
      workers,
      keepAlive: opts.keepAlive,
      pipelining: opts.pipelining,
      rate: opts.rate,
      elapsedMs: Math.round(elapsedMs),
      responses,
      ok: responses - non2xx,
      non2xx,
      connErrors,
      timeouts,
      connects: sum('connects'),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      errorSamples: [...new Set(parts.flatMap((p) => p.errorSamples))].slice(0, 5),
    },
  };
}
