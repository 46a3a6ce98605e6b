import { performance } from 'node:perf_hooks';
import { defaultResolvConf } from '../../dns/resolver/conf.js';
import { ResolverEngine } from '../../dns/resolver/engine.js';
import { Lookup } from '../../dns/resolver/lookup.js';
import { Preparer, type PreparedName } from '../../dns/resolver/prepare.js';
import { encode, newHistogram, record } from '../../metrics/histogram.js';
import { parseNamesFile } from './names-file.js';
import type { DnsAgentOptions } from './contract.js';
import type { WorkerResult } from './worker-result.js';

/**
 * One thread's share of the load. Closed loop: `inflight` lookups always outstanding, a finished
 * one immediately replaced. Open loop: lookup k is due at t0 + k/qps and its latency counts from
 * that moment even when it had to wait for a free slot, so a slow server cannot hide its queue
 * (no coordinated omission).
 */
export async function runDnsLoad(o: DnsAgentOptions, part: { index: number; of: number }, signal?: AbortSignal): Promise<WorkerResult> {
  const lines = parseNamesFile(o.namesText);
  // a copy: the timeouts below are this run's, not the caller's
  const conf = o.conf ? { ...o.conf, search: [...o.conf.search], nameservers: [...o.conf.nameservers] } : defaultResolvConf();
  if (o.timeoutMs !== undefined) conf.timeout = Math.max(1, Math.ceil(o.timeoutMs / 1000));
  const mode = o.raw ? 'raw' : o.resolver;
  const preparer = new Preparer(mode, conf, o.family);
  const prepared: PreparedName[] = lines.map((l) => preparer.prepare(l.name, l.type));
  // raw mode times out at --timeout exactly (ms), like dnsperf -t
  if (o.raw && o.timeoutMs !== undefined) conf.timeout = o.timeoutMs / 1000;

  const share = (total: number) => Math.floor(total / part.of) + (part.index < total % part.of ? 1 : 0);
  const qps = o.qps > 0 ? o.qps / part.of : 0;
  const slots = Math.max(1, share(o.inflight));

  const lookupLatency = newHistogram();
  const queriesPerLookup = newHistogram();
  const statuses: Record<string, number> = {};
  const binMs = o.timelineBinMs ?? 0;
  const timeline: Record<string, [number, number, number]> = {};
  // delayed: a lookup that waited out a resolver timeout (one of its queries went unanswered
  // in time), counted from the timeouts themselves: a lookup that is merely slow (several search
  // candidates each answered late, as under emulation) is not one
  let delayed = 0;
  // lookup start times are performance.now() of this thread; the bins are epoch ms, comparable across processes
  const origin = performance.timeOrigin;
  let lookups = 0;
  let failed = 0;
  let next = Math.floor((prepared.length * part.index) / part.of);
  let t0 = 0;
  let end = 0;
  let issued = 0;
  let idle: Lookup[] = [];
  let stopping = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => { resolveDone = r; });

  const engine = new ResolverEngine({
    servers: [o.server],
    conf,
    mode,
    sockets: o.sockets,
    batchSends: !o.noBatch,
    onDone: (l) => {
      const now = engine.now;
      if (now <= end) {
        lookups++;
        record(lookupLatency, now - l.start);
        record(queriesPerLookup, l.queries);
        const s = l.status;
        statuses[s] = (statuses[s] ?? 0) + 1;
        const bad = s !== 'ok' && (o.expectFound || (s !== 'HOST_NOT_FOUND' && s !== 'NO_DATA'));
        if (bad) failed++;
        const slow = l.timeouts > 0;
        if (slow) delayed++;
        if (binMs > 0) {
          const bin = Math.floor((origin + l.start) / binMs) * binMs;
          const b = (timeline[bin] ??= [0, 0, 0]);
          b[0]++;
          if (bad) b[1]++;
          if (slow) b[2]++;
        }
      }
      if (!stopping && now < end) {
        if (qps === 0) return startNext(l, now);
        if (issued < due(now)) return startNext(l, t0 + (issued * 1000) / qps);
      }
      idle.push(l);
      if (stopping && engine.inflight === 0) resolveDone();
    },
  });

  // lookups due by now: lookup k is due at t0 + k/qps, so k = 0 is due at once (counting only
  // the ones whose slot has passed would add a whole interval, 1/qps, to every latency)
  const due = (now: number) => Math.min(Math.floor(((now - t0) * qps) / 1000) + 1, Math.floor(((end - t0) * qps) / 1000));
  function startNext(l: Lookup, start: number): void {
    const p = prepared[next]!;
    next = next + 1 === prepared.length ? 0 : next + 1;
    issued++;
    engine.begin(l, p, start, issued);
  }

  await engine.open();
  const sent0 = engine.stats.sent;
  t0 = engine.tick();
  end = t0 + o.durationMs;
  idle = Array.from({ length: slots }, () => new Lookup());
  let ticker: NodeJS.Timeout | undefined;
  if (qps === 0) {
    const all = idle;
    idle = [];
    for (const l of all) startNext(l, t0);
  } else {
    ticker = setInterval(() => {
      const now = engine.tick();
      const target = due(now);
      while (issued < target && idle.length > 0) startNext(idle.pop()!, t0 + (issued * 1000) / qps);
    }, 1);
  }
  const onAbort = () => stop();
  signal?.addEventListener('abort', onAbort);
  let sentAtEnd = 0;
  function stop(): void {
    if (stopping) return;
    stopping = true;
    sentAtEnd = engine.stats.sent;
    if (ticker) clearInterval(ticker);
    if (engine.inflight === 0) resolveDone();
  }
  await new Promise<void>((r) => { const t = setTimeout(r, o.durationMs); signal?.addEventListener('abort', () => { clearTimeout(t); r(); }); });
  stop();
  // in-flight lookups get a short grace to finish; the rest are reported as unfinished
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((r) => { grace = setTimeout(r, 1000); })]);
  clearTimeout(grace);
  signal?.removeEventListener('abort', onAbort);
  const elapsedMs = Math.min(performance.now(), end) - t0;
  const unfinished = engine.inflight;
  engine.close();
  const st = engine.stats;
  return {
    lookupLatency: encode(lookupLatency),
    queryLatency: encode(st.latency),
    queriesPerLookup: encode(queriesPerLookup),
    lookups,
    queries: (sentAtEnd || st.sent) - sent0,
    queriesSent: st.sent,
    failed,
    timeouts: st.timeouts,
    delayed,
    socketErrors: st.socketErrors,
    answered: st.answered,
    unfinished,
    rcodes: st.rcodes,
    statuses,
    elapsedMs,
    ...(binMs > 0 ? { timeline } : {}),
  };
}
