import { setMaxListeners } from 'node:events';
import type { ConnectAgentOutput, ConnectProbeInfo } from './contract.js';
import { encode, newHistogram, record } from '../../metrics/histogram.js';
import { connectOnce } from './probe.js';
import type { Target } from '../targets.js';

export interface ProbeModeOptions {
  targets: readonly Target[];
  probes: number;
  concurrency: number;
  timeoutMs: number;
}

/**
 * `probes` new connections, round-robin over the targets, `concurrency` in flight. Each
 * connect's latency goes into one HDR histogram; failures (refused, unreachable, timed out)
 * are counted, never recorded as latencies. On abort, the probes done so far are reported.
 */
export async function runProbeMode(opts: ProbeModeOptions, signal?: AbortSignal): Promise<ConnectAgentOutput<ConnectProbeInfo>> {
  const hist = newHistogram();
  const reasons: Record<string, number> = {};
  let next = 0;
  let attempted = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  // each connect in flight listens on the signal: a linked one without the 10-listener warning
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onOuter = () => inner.abort();
  if (signal?.aborted) inner.abort();
  signal?.addEventListener('abort', onOuter, { once: true });
  const worker = async (): Promise<void> => {
    while (!inner.signal.aborted) {
      const i = next++;
      if (i >= opts.probes) return;
      const r = await connectOnce(opts.targets[i % opts.targets.length]!, opts.timeoutMs, inner.signal);
      if (!r.ok && r.reason === 'aborted') return;
      attempted++;
      if (r.ok) record(hist, r.ms);
      else {
        failed++;
        reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.probes)) }, worker));
  signal?.removeEventListener('abort', onOuter);
  const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    agent: 'connect',
    metrics: {
      'tcp.connect.latency': { hdr: encode(hist), count: hist.totalCount },
      // value: connects that failed; count: connects attempted (the value's denominator)
      'tcp.connect.failed': { value: failed, count: attempted },
    },
    info: {
      mode: 'probe',
      probes: attempted,
      targets: opts.targets.length,
      concurrency: opts.concurrency,
      timeoutMs: opts.timeoutMs,
      durationMs: +durationMs.toFixed(1),
      connectsPerSecond: durationMs > 0 ? +((attempted * 1000) / durationMs).toFixed(1) : 0,
      errors: reasons,
      interrupted: inner.signal.aborted && attempted < opts.probes,
    },
  };
}
