import { setMaxListeners } from 'node:events';
import { pause } from '../../core/pause.js';
import type { ConnectAgentOutput, ConnectAwaitInfo } from './contract.js';
import { connectOnce, epochNow } from './probe.js';
import { targetKey, type Target } from '../targets.js';

export interface AwaitModeOptions {
  targets: readonly Target[];
  /** overall limit from the start of probing */
  timeoutMs: number;
  /** a new connection attempt per target this often */
  intervalMs: number;
  /**
   * attempts per second across all targets still unreached: bounds what the probing costs the
   * node under test; with many targets each one is probed less often than intervalMs
   */
  maxRate: number;
  /** one attempt's limit; short, because a SYN dropped before the rule exists is retried only after 1 s */
  attemptTimeoutMs: number;
}

/**
 * Measures when each target first becomes reachable (programming latency): every target gets
 * its own loop starting a NEW connection every intervalMs (a new source port, so a SYN that
 * conntrack saw before the rule existed never hides the new rule) until one succeeds or the
 * overall timeout passes. Reports epoch ms, so the caller subtracts its own creation times.
 */
export async function runAwaitMode(opts: AwaitModeOptions, signal?: AbortSignal): Promise<ConnectAgentOutput<ConnectAwaitInfo>> {
  const firstSuccess: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  let attempts = 0;
  let unreachedLeft = opts.targets.length;
  const pace = () => Math.max(opts.intervalMs, (unreachedLeft * 1000) / opts.maxRate);
  let maxGap = 0;
  const startedAt = epochNow();
  const deadline = startedAt + opts.timeoutMs;

  // every target's loop listens on the caller's signal: a linked one without the 10-listener warning
  const all = new AbortController();
  setMaxListeners(0, all.signal);
  const onOuter = () => all.abort();
  if (signal?.aborted) all.abort();
  signal?.addEventListener('abort', onOuter, { once: true });

  const probeTarget = async (t: Target): Promise<void> => {
    const key = targetKey(t);
    const stop = new AbortController();
    // one listener per attempt in flight
    setMaxListeners(0, stop.signal);
    const onAll = () => stop.abort();
    all.signal.addEventListener('abort', onAll, { once: true });
    if (all.signal.aborted) stop.abort();
    const pending = new Set<Promise<void>>();
    let last: number | undefined;
    while (!stop.signal.aborted) {
      const now = epochNow();
      const left = deadline - now;
      if (left <= 0) break;
      if (last !== undefined) maxGap = Math.max(maxGap, now - last);
      last = now;
      attempts++;
      const p = connectOnce(t, Math.min(opts.attemptTimeoutMs, left), stop.signal).then((r) => {
        if (r.ok) {
          if (firstSuccess[key] === undefined) unreachedLeft--;
          if (firstSuccess[key] === undefined || r.at < firstSuccess[key]) firstSuccess[key] = r.at;
          stop.abort();
        } else if (r.reason !== 'aborted') reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
      await pause(pace(), stop.signal);
    }
    // attempts still in flight may yet succeed within their own short timeout
    await Promise.all(pending);
    all.signal.removeEventListener('abort', onAll);
  };

  await Promise.all(opts.targets.map(probeTarget));
  signal?.removeEventListener('abort', onOuter);
  const unreached = opts.targets.map(targetKey).filter((k) => firstSuccess[k] === undefined);
  return {
    agent: 'connect',
    metrics: {
      // value: targets never reached; count: targets probed
      'tcp.connect.failed': { value: unreached.length, count: opts.targets.length },
    },
    info: {
      mode: 'await',
      startedAt,
      firstSuccess,
      unreached,
      attempts,
      intervalMs: opts.intervalMs,
      maxRate: opts.maxRate,
      // the longest real pause between two attempts on one target (rate cap, a busy node):
      // how late firstSuccess can be at worst
      maxAttemptGapMs: +maxGap.toFixed(2),
      attemptTimeoutMs: opts.attemptTimeoutMs,
      timeoutMs: opts.timeoutMs,
      durationMs: +(epochNow() - startedAt).toFixed(1),
      errors: reasons,
      interrupted: signal?.aborted === true,
    },
  };
}
