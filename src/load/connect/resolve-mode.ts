import { promises as dns } from 'node:dns';
import { pause } from '../../core/pause.js';
import { connectOnce, epochNow } from './probe.js';
import type { ConnectAgentOutput, ConnectResolveInfo } from './contract.js';
import type { NamedTarget } from './named-targets.js';

export interface ResolveModeOptions {
  targets: readonly NamedTarget[];
  /** how long to keep trying */
  durationMs: number;
  /** a new attempt per target this often (open loop: a slow attempt does not delay the next) */
  intervalMs: number;
  /** one connect's limit */
  attemptTimeoutMs: number;
}

/** Attempts in flight per target at most: a resolver that stops answering must not pile up thousands. */
const MAX_IN_FLIGHT = 200;

/**
 * An application that looks a Service up by name before every connection, as one without its own
 * DNS cache does: getaddrinfo (the pod's resolv.conf: its nameserver, search list and ndots),
 * then a new TCP connection to the first IPv4 address. Every attempt is kept: when it began,
 * the address the lookup gave (or its error), and how the connection ended. What a client sees
 * while a Service is deleted and recreated with a new ClusterIP is read from these.
 */
export async function runResolveMode(opts: ResolveModeOptions, signal?: AbortSignal): Promise<ConnectAgentOutput<ConnectResolveInfo>> {
  const addresses: string[] = [];
  const outcomes: string[] = [];
  const index = (list: string[], v: string) => {
    const i = list.indexOf(v);
    return i >= 0 ? i : list.push(v) - 1;
  };
  const attempts: ConnectResolveInfo['attempts'] = opts.targets.map(() => []);
  const startedAt = epochNow();
  const deadline = startedAt + opts.durationMs;
  const stop = signal ?? new AbortController().signal;
  let skipped = 0;

  const attempt = async (t: NamedTarget, k: number): Promise<void> => {
    const at = epochNow();
    let ip = -1;
    let outcome: string;
    try {
      const { address } = await dns.lookup(t.name, { family: 4 });
      ip = index(addresses, address);
      const r = await connectOnce({ host: address, port: t.port }, opts.attemptTimeoutMs, stop);
      outcome = r.ok ? 'ok' : r.reason;
    } catch (err) {
      outcome = `dns:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
    }
    if (outcome === 'aborted') return;
    attempts[k]!.push([+(at - startedAt).toFixed(1), ip, index(outcomes, outcome), +(epochNow() - at).toFixed(1)]);
  };

  await Promise.all(opts.targets.map(async (t, k) => {
    const pending = new Set<Promise<void>>();
    for (let next = epochNow(); next < deadline && !stop.aborted; next += opts.intervalMs) {
      if (pending.size >= MAX_IN_FLIGHT) skipped++;
      else {
        const p = attempt(t, k);
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      await pause(next + opts.intervalMs - epochNow(), stop);
    }
    await Promise.all(pending);
  }));
  for (const list of attempts) list.sort((a, b) => a[0] - b[0]);
  const all = attempts.flat();
  const failed = all.filter(([, , o]) => outcomes[o] !== 'ok').length;
  return {
    agent: 'connect',
    metrics: { 'tcp.connect.failed': { value: failed, count: all.length } },
    info: {
      mode: 'resolve',
      startedAt,
      targets: opts.targets.map((t) => `${t.name}:${t.port}`),
      addresses,
      outcomes,
      attempts,
      skipped,
      intervalMs: opts.intervalMs,
      attemptTimeoutMs: opts.attemptTimeoutMs,
      durationMs: +(epochNow() - startedAt).toFixed(1),
      interrupted: signal?.aborted === true,
    },
  };
}
